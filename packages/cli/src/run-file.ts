import * as fs from 'node:fs';
import { CliSession, type CliSessionOptions, type Output } from './cli-session';
import { parseLine, runLine } from './commands';
import { PROMPT } from './repl';

export interface RunFileOptions extends CliSessionOptions {
  /** Connect here before the file's first line. */
  url?: string;
}

/**
 * Runs a file of commands, one a line (`#` starts a comment), echoing each before its output.
 * Resolves with the exit code: 1 at the first failure (an error answer, a refused connection, a
 * bad line), which stops the run; 0 otherwise.
 */
export async function runFile(file: string, options: RunFileOptions, out: Output): Promise<number> {
  const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/);
  const steps = [
    ...(options.url ? [{ line: `connect ${options.url}`, where: 'the command line' }] : []),
    ...lines.map((line, i) => ({ line, where: `${file}:${i + 1}` })),
  ].filter(({ line }) => parseLine(line) !== undefined);
  const session = new CliSession(out, options);
  try {
    for (const { line, where } of steps) {
      out.print(`${PROMPT}${line.trim()}`);
      const outcome = await runLine(session, out, line);
      if (outcome === 'exit') break;
      if (outcome === 'failed') {
        out.error(`stopped at ${where}`);
        return 1;
      }
    }
    return 0;
  } finally {
    await session.close();
  }
}
