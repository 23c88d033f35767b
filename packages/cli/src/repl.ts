import * as fs from 'node:fs';
import * as readline from 'node:readline';
import { CliSession, type CliSessionOptions } from './cli-session';
import { COMMAND_NAMES, runLine } from './commands';

export interface ReplOptions extends CliSessionOptions {
  /** Run before the first prompt, as if typed (`connect <url>` from the command line). */
  firstLines?: string[];
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** Lines typed in earlier runs, kept here between runs. */
  historyFile?: string;
  historySize?: number;
}

export const PROMPT = '>>> ';
const ROUTE_COMMANDS = new Set(['request', 'notify', 'push']);

/** Commands in first position, routes after request/notify/push. */
export function completer(session: CliSession): readline.Completer {
  return (line: string) => {
    const words = line.trimStart().split(/\s+/);
    const [first = '', second] = words;
    if (words.length === 1) {
      return [COMMAND_NAMES.filter((name) => name.startsWith(first)).map((name) => `${name} `), first];
    }
    if (second !== undefined && words.length === 2 && ROUTE_COMMANDS.has(first.toLowerCase())) {
      return [session.routes().filter((route) => route.startsWith(second)), second];
    }
    return [[], line];
  };
}

function loadHistory(file: string | undefined): string[] {
  if (!file || !fs.existsSync(file)) return [];
  // the file is oldest first, as shells keep it; readline wants newest first
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).reverse();
}

/** The interactive loop; resolves once the user left (exit, Ctrl-D) and the connection is closed. */
export function startRepl(options: ReplOptions): Promise<void> {
  // pushes arrive at any time: print them above the line being typed, then give the line back
  const write = (line: string) => {
    if (rl.terminal) {
      readline.clearLine(options.output, 0);
      readline.cursorTo(options.output, 0);
    }
    options.output.write(`${line}\n`);
    if (!busy && !closed && rl.terminal) rl.prompt(true);
  };
  const out = { print: write, error: write };
  const session = new CliSession(out, options);
  let busy = false;
  const rl = readline.createInterface({
    input: options.input,
    output: options.output,
    prompt: PROMPT,
    completer: completer(session),
    history: loadHistory(options.historyFile),
    historySize: options.historySize ?? 1000,
    removeHistoryDuplicates: true,
  });
  if (options.historyFile) {
    const file = options.historyFile;
    rl.on('history', (history: string[]) => fs.writeFileSync(file, [...history].reverse().join('\n') + '\n'));
  }
  let closed = false;

  options.output.write('Pitaya REPL Client: help lists the commands\n');
  // one command at a time, in the order typed
  let queue = Promise.resolve();
  const run = (line: string) => {
    queue = queue.then(async () => {
      busy = true;
      const outcome = await runLine(session, out, line);
      busy = false;
      if (outcome === 'exit') rl.close();
      else if (!closed) rl.prompt();
    });
  };
  for (const line of options.firstLines ?? []) run(line);
  if (!options.firstLines?.length) rl.prompt();
  rl.on('line', run);
  return new Promise((resolve) => {
    rl.once('close', () => {
      closed = true;
      void queue.then(() => session.close()).then(resolve);
    });
  });
}
