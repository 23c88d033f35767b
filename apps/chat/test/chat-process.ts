import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { withTimeout } from './pinus-client';

const ROOT = path.resolve(__dirname, '../../..');
/** The built chat server (`npm test` builds it first; `npx tsc -b apps/chat` by hand). */
export const CHAT_MAIN = path.join(ROOT, 'apps/chat/dist/main.js');

/** A pino log line of the chat process. */
export interface ChatLogLine {
  msg?: string;
  [key: string]: unknown;
}

export interface ChatProcess {
  process: ChildProcess;
  stdout: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Where it listens (read from its "acceptor listening" lines). */
  ports: { ws: number; tcp: number };
  url(transport: 'ws' | 'tcp'): string;
  /** SIGKILL unless it exited already. */
  kill(): void;
}

export function logLines(child: Pick<ChatProcess, 'stdout'>): ChatLogLine[] {
  return child.stdout
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as ChatLogLine);
}

function listeningPort(lines: ChatLogLine[], protocol: string): number {
  const line = lines.find((l) => l.msg === 'acceptor listening' && l.protocol === protocol);
  return (line?.address as { port: number }).port;
}

/**
 * The built chat server as a child process; resolves once it logged 'server started'. Ports
 * default to 0: the system picks free ones, and the process's log says which.
 */
export async function spawnChat(wsPort = 0, tcpPort = 0): Promise<ChatProcess> {
  const proc = spawn(process.execPath, [CHAT_MAIN, '--port', String(wsPort), '--tcp-port', String(tcpPort)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const started = new Promise<void>((resolve, reject) => {
    proc.stdout.on('data', (chunk: Buffer) => {
      stdout.push(chunk.toString());
      if (logLines({ stdout }).some((line) => line.msg === 'server started')) resolve();
    });
    proc.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
    void exited.then(({ code }) => reject(new Error(`exited with ${code}: ${stderr.join('')}`)));
  });
  // a guard against a server that never says it started; a loaded machine may take its time
  await withTimeout(started, 60_000, 'the chat server to start');
  const lines = logLines({ stdout });
  const ports = { ws: listeningPort(lines, 'ws'), tcp: listeningPort(lines, 'tcp') };
  return {
    process: proc,
    stdout,
    exited,
    ports,
    url: (transport) => `${transport}://127.0.0.1:${ports[transport]}`,
    kill: () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    },
  };
}
