/**
 * Published in a server's discovery metadata: it handles each session's forwarded messages in the
 * order they arrive, so a frontend may send them without waiting for each answer.
 */
export const FORWARDS_METADATA_KEY = 'pitaya-ts.forwards';
export const FORWARDS_IN_ORDER = 'in-order';

const ignore = () => undefined;

/** Runs the work of each key (a frontend's session) one after the other, in the order it came. */
export class SessionTurns {
  /** The last work of each key with work not settled yet. */
  private readonly last = new Map<string, Promise<void>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const before = this.last.get(key);
    const result = before === undefined ? work() : before.then(work);
    const settled = result.then(ignore, ignore);
    this.last.set(key, settled);
    void settled.then(() => {
      if (this.last.get(key) === settled) this.last.delete(key);
    });
    return result;
  }

  /** Keys with work running or waiting. */
  get size(): number {
    return this.last.size;
  }
}
