import { spawn, type ChildProcess } from 'node:child_process';

const running = new Set<ChildProcess>();
// a test process that exits (or crashes) takes its servers with it
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  /** Resolves once the server answers; polled until `startTimeoutMs`. */
  ready: () => Promise<boolean>;
  startTimeoutMs?: number;
}

/** A server process the tests own: started, awaited until ready, stopped, restarted. */
export class ManagedProcess {
  private child: ChildProcess | undefined;
  private output = '';

  constructor(private readonly spec: ProcessSpec) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<void> {
    if (this.running) return;
    const child = spawn(this.spec.command, this.spec.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.output = '';
    running.add(child);
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-4000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    child.once('exit', () => running.delete(child));
    const deadline = Date.now() + (this.spec.startTimeoutMs ?? 15_000);
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`${this.spec.name} exited at start:\n${this.output}`);
      if (await this.spec.ready().catch(() => false)) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await this.stop();
    throw new Error(`${this.spec.name} did not become ready in time:\n${this.output}`);
  }

  /** Stops the server (SIGTERM, then SIGKILL after a grace period) and waits for its exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }
}
