import { spawn, type ChildProcess } from 'node:child_process';
import { waitFor } from './wait-for';

const running = new Set<ChildProcess>();
// a test process that exits (or crashes) takes its servers with it
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** The server could not bind a port: another process took it after it was found free. */
export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
}

/** A server process the tests own: started, awaited until ready, stopped, restarted. */
export abstract class ManagedProcess {
  private child: ChildProcess | undefined;
  /** Resolves once the process exited and its output was all read. */
  private closed: Promise<void> = Promise.resolve();
  private output = '';

  protected constructor(
    private readonly name: string,
    private readonly command: string,
    private readonly startTimeoutMs = 15_000,
  ) {}

  /** The command line of the next start. */
  protected abstract args(): string[];

  /** Whether the server answers yet. */
  protected abstract isReady(): Promise<boolean>;

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child?.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<void> {
    if (this.running) return;
    const child = spawn(this.command, this.args(), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.output = '';
    running.add(child);
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('exit', () => running.delete(child));
    this.closed = new Promise((resolve) => child.once('close', () => resolve()));
    let exited = false as boolean; // set in the readiness check, where TypeScript's narrowing does not look
    try {
      await waitFor(
        async () => (exited = !this.running) || (await this.isReady().catch(() => false)),
        this.startTimeoutMs,
        `${this.name} to be ready`,
      );
    } catch (err) {
      await this.stop();
      throw new Error(`${(err as Error).message}:\n${this.output}`, { cause: err });
    }
    if (exited) {
      await this.closed;
      const message = `${this.name} exited at start:\n${this.output}`;
      throw /address already in use/i.test(this.output) ? new PortInUseError(message) : new Error(message);
    }
  }

  /** Stops the server (SIGTERM, then SIGKILL after a grace period) and waits for its exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.kill(signal);
    await this.closed;
    clearTimeout(timer);
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }
}

/**
 * Starts a server built on ports found free. Such a port may be taken by another process before
 * the server binds it (other test files, other test runs on the machine): then the server is built
 * again on fresh ports, a few times.
 */
export async function startOnFreePorts<T extends ManagedProcess>(
  build: () => Promise<T>,
  discard: (server: T) => void = () => undefined,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const server = await build();
    try {
      await server.start();
      return server;
    } catch (err) {
      discard(server);
      if (!(err instanceof PortInUseError) || attempt === 5) throw err;
    }
  }
}
