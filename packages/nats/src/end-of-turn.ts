/**
 * Work queued during a turn of the event loop, run together once the turn's promise jobs are done.
 * A NATS client writes what was published at its next microtask: publishes made along a chain of
 * promise jobs (a session's pipelined forwards, handlers answering one after the other) would each
 * cost a socket write of their own; queued here, they go out in one.
 */
export class EndOfTurn {
  private queued: (() => void)[] = [];
  private readonly runQueued = () => this.flush();

  add(work: () => void): void {
    // a tick queued from a promise job runs once the promise jobs queued behind it ran too
    if (this.queued.length === 0) process.nextTick(this.runQueued);
    this.queued.push(work);
  }

  /** Runs what is queued now (a stop flushes the answers before closing the connection). */
  flush(): void {
    const queued = this.queued;
    if (queued.length === 0) return;
    this.queued = [];
    for (const work of queued) work();
  }
}
