import { errorMessage } from '@pitaya-ts/client';
import type { CliSession, HandshakeData, Output } from './cli-session';

/** One REPL command: `run` throws an Error whose message says what went wrong. */
export interface Command {
  usage: string;
  description: string;
  run(session: CliSession, args: string, out: Output): Promise<void> | void;
}

/** A command's arguments: the first word, and the rest of the line as it was typed (JSON keeps its spaces). */
function split(args: string): [string, string] {
  const trimmed = args.trim();
  const space = trimmed.search(/\s/);
  return space < 0 ? [trimmed, ''] : [trimmed.slice(0, space), trimmed.slice(space).trimStart()];
}

function parseJson(text: string, what: string): unknown {
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${what} is not JSON: ${errorMessage(err)}`, { cause: err });
  }
}

function required(value: string, usage: string): string {
  if (value === '') throw new Error(`usage: ${usage}`);
  return value;
}

function handshakeData(value: unknown): HandshakeData {
  const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
  const ok =
    isObject(value) &&
    Object.entries(value as object).every(([key, v]) => (key === 'sys' || key === 'user') && isObject(v));
  if (!ok) throw new Error('the handshake is {"sys": {...}, "user": {...}} (either may be left out)');
  return value as HandshakeData;
}

export const COMMANDS: Record<string, Command> = {
  connect: {
    usage: 'connect <url>',
    description: 'connects: ws://, wss://, tcp://, tls://, or host:port for TCP',
    run: (session, args) => session.connect(required(args.trim(), 'connect <url>')),
  },
  request: {
    usage: 'request <route> [json]',
    description: 'sends a request and prints the answer',
    run: (session, args) => {
      const [route, body] = split(args);
      return session.request(required(route, 'request <route> [json]'), parseJson(body, 'the body'));
    },
  },
  notify: {
    usage: 'notify <route> [json]',
    description: 'sends a notify (no answer)',
    run: (session, args) => {
      const [route, body] = split(args);
      session.notify(required(route, 'notify <route> [json]'), parseJson(body, 'the body'));
    },
  },
  push: {
    usage: 'push <route> <type>',
    description: 'protobuf servers: the message type of a push route',
    run: (session, args) => {
      const [route, type] = split(args);
      session.setPushType(required(route, 'push <route> <type>'), required(type, 'push <route> <type>'));
    },
  },
  sethandshake: {
    usage: 'sethandshake <json>',
    description: 'the handshake of the next connect: {"sys": {...}, "user": {...}}',
    run: (session, args) =>
      session.setHandshake(handshakeData(parseJson(required(args.trim(), 'sethandshake <json>'), 'the handshake'))),
  },
  disconnect: {
    usage: 'disconnect',
    description: 'closes the connection',
    run: (session) => session.disconnect(),
  },
  routes: {
    usage: 'routes',
    description: "lists the server's routes (handshake dictionary) and those with protobuf types",
    run: (session, _args, out) => out.print(session.routes().join('\n') || '(no routes known: connect first)'),
  },
  help: {
    usage: 'help',
    description: 'lists the commands',
    run: (_session, _args, out) => out.print(helpText()),
  },
  exit: {
    usage: 'exit',
    description: 'disconnects and quits (Ctrl-D too)',
    run: () => undefined, // the front end stops after it
  },
};

export const COMMAND_NAMES = Object.keys(COMMANDS);

/** The help text: one line per command. */
export function helpText(): string {
  const width = Math.max(...Object.values(COMMANDS).map((c) => c.usage.length));
  return Object.values(COMMANDS)
    .map((c) => `  ${c.usage.padEnd(width)}  ${c.description}`)
    .join('\n');
}

/** A line split into its command and the rest; blank lines and `#` comments are undefined. */
export function parseLine(line: string): { name: string; args: string } | undefined {
  const trimmed = line.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return undefined;
  const [name, args] = split(trimmed);
  return { name: name.toLowerCase(), args };
}

export type Outcome = 'ok' | 'failed' | 'exit';

/** Runs one line; what went wrong is printed, and the outcome tells the front end how to go on. */
export async function runLine(session: CliSession, out: Output, line: string): Promise<Outcome> {
  const parsed = parseLine(line);
  if (!parsed) return 'ok';
  const command = COMMANDS[parsed.name === 'quit' ? 'exit' : parsed.name];
  if (!command) {
    out.error(`unknown command ${parsed.name}: try help`);
    return 'failed';
  }
  if (command === COMMANDS.exit) return 'exit';
  try {
    await command.run(session, parsed.args, out);
    return 'ok';
  } catch (err) {
    out.error(`error: ${errorMessage(err)}`);
    return 'failed';
  }
}
