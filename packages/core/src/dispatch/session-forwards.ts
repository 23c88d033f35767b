/**
 * A session's forwards that let its next messages start before they were answered: each was sent,
 * in order, to a server that handles the session's messages in order. A message that runs here,
 * or goes to another server, waits for their answers; the server learns, with each forward, which
 * earlier ones the frontend had seen answered when it took the session's snapshot.
 */
export class SessionForwards {
  /** The server they went to. */
  target: string | undefined = undefined;
  /** Their numbers, in the order sent (a handful: the pipeline's depth at most). */
  private readonly unanswered: number[] = [];
  /** Forwards of the session between their start and their answer (sent or not). */
  holders = 0;
  private waiters: { limit: number; resolve: () => void }[] = [];

  get count(): number {
    return this.unanswered.length;
  }

  /** Every forward numbered up to this was answered when `seq` was sent (answers follow the order sent). */
  answeredBefore(seq: number): number {
    return (this.unanswered[0] ?? seq) - 1;
  }

  sent(seq: number, target: string): void {
    this.unanswered.push(seq);
    this.target = target;
  }

  answered(seq: number): void {
    const at = this.unanswered.indexOf(seq);
    if (at >= 0) this.unanswered.splice(at, 1);
    if (this.unanswered.length === 0) this.target = undefined;
    if (this.waiters.length === 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) {
      if (waiter.limit >= this.unanswered.length) waiter.resolve();
      else this.waiters.push(waiter);
    }
  }

  /** Resolves once at most `limit` are unanswered (0: all answered). */
  atMost(limit: number): Promise<void> {
    if (this.unanswered.length <= limit) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ limit, resolve }));
  }
}
