import { spawn, type ChildProcess } from 'node:child_process';
import * as readline from 'node:readline';
import type { Logger } from '../logging/logger';
import type { Module } from './module';

export interface BinaryModuleOptions {
  name: string;
  command: string;
  args?: string[];
  cwd?: string;
  env?: Record<string, string>;
  /** Grace period between SIGTERM and SIGKILL at shutdown, ms (default 5000). */
  killTimeoutMs?: number;
}

/**
 * Pitaya's binary module: runs a program beside the server, its stdout logged at info and its
 * stderr at error, and stops it at shutdown.
 */
export class BinaryModule implements Module {
  readonly name: string;
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;

  constructor(
    private readonly options: BinaryModuleOptions,
    private readonly logger: Logger,
  ) {
    this.name = options.name;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async init(): Promise<void> {
    const log = this.logger.child({ module: this.name });
    const child = spawn(this.options.command, this.options.args ?? [], {
      cwd: this.options.cwd,
      env: { ...process.env, ...this.options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    readline.createInterface({ input: child.stdout }).on('line', (line) => log.info(line));
    readline.createInterface({ input: child.stderr }).on('line', (line) => log.error(line));
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        log.info({ code, signal }, 'binary exited');
        resolve();
      });
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (err) => reject(new Error(`cannot start ${this.options.command}: ${err.message}`)));
    });
  }

  async shutdown(): Promise<void> {
    const child = this.child;
    // not started, or exited already
    if (child?.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), this.options.killTimeoutMs ?? 5000);
    await this.exited;
    clearTimeout(timer);
  }
}
