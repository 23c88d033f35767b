import { spawn, type ChildProcess } from 'node:child_process';

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]|\r/g;

/**
 * A program in a pseudo-terminal, through util-linux's `script` (Debian's bsdutils, on every
 * machine): the program sees a TTY, so readline runs as it does for a person (raw mode, Tab
 * completion, arrow keys). Output is read with the terminal's escape sequences taken out.
 */
export class Terminal {
  private text = '';
  private mark = 0;
  private readonly waiters = new Set<() => void>();
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  constructor(command: string[], env: Record<string, string> = {}) {
    const line = command.map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`).join(' ');
    this.child = spawn('script', ['-qfec', line, '/dev/null'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, TERM: 'xterm', ...env },
    });
    const onData = (chunk: Buffer) => {
      this.text += chunk.toString().replace(ANSI, '');
      for (const waiter of this.waiters) waiter();
    };
    this.child.stdout!.on('data', onData);
    this.child.stderr!.on('data', onData);
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  /** Everything shown so far, escape sequences removed. */
  get screen(): string {
    return this.text;
  }

  /** Keys, as typed: `\r` is Enter, `\t` is Tab, `\x1b[A` is the up arrow. */
  type(keys: string): void {
    this.child.stdin!.write(keys);
  }

  /**
   * Waits until the output since the last wait shows `expected`, and returns that output; later
   * waits look after it. Fails with what was shown, when nothing matched within `ms`.
   */
  waitFor(expected: string | RegExp, ms = 15_000): Promise<string> {
    const found = () => {
      const rest = this.text.slice(this.mark);
      const index = typeof expected === 'string' ? rest.indexOf(expected) : rest.search(expected);
      if (index < 0) return undefined;
      const length = typeof expected === 'string' ? expected.length : rest.slice(index).match(expected)![0].length;
      this.mark += index + length;
      return rest.slice(0, index + length);
    };
    return new Promise((resolve, reject) => {
      const check = () => {
        const seen = found();
        if (seen === undefined) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve(seen);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`no ${String(expected)} within ${ms} ms; the terminal shows:\n${this.text.slice(this.mark)}`));
      }, ms);
      this.waiters.add(check);
      check();
    });
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}
