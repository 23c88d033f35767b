/**
 * Published in a server's discovery metadata: it handles each session's forwarded messages in the
 * order they arrive, so a frontend may send them without waiting for each answer.
 */
export const FORWARDS_METADATA_KEY = 'pitaya-ts.forwards';
export const FORWARDS_IN_ORDER = 'in-order';

type Work = () => void;

/** Runs the work of each key (a frontend's session) one after the other, in the order it came. */
export class SessionTurns {
  /** Keys with work running, and the work waiting behind it (made for the second one only). */
  private readonly keys = new Map<string, Work[] | undefined>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    if (!this.keys.has(key)) {
      this.keys.set(key, undefined);
      return this.start(key, work);
    }
    return new Promise<T>((resolve, reject) => {
      const waiting = this.keys.get(key) ?? [];
      waiting.push(() => void this.start(key, work).then(resolve, reject));
      this.keys.set(key, waiting);
    });
  }

  /** Keys with work running or waiting. */
  get size(): number {
    return this.keys.size;
  }

  private start<T>(key: string, work: () => Promise<T>): Promise<T> {
    const result = work();
    const next = () => {
      const following = this.keys.get(key)?.shift();
      if (following) following();
      else this.keys.delete(key);
    };
    result.then(next, next);
    return result;
  }
}
