/** What the coalescer flushes at the end of a turn: a connection's held writes. */
export interface HeldWrites {
  /** Writes what is held now, whatever else waits (a read being delivered). */
  flushHeld(): void;
}

/**
 * Flushes held writes at the end of the event-loop turn, unless their connection flushed them
 * before. A small loopback write costs several microseconds; a request burst, a broadcast or a
 * response plus a push would otherwise pay it once per packet.
 */
export class WriteCoalescer {
  private held: HeldWrites[] = [];
  private scheduled = false;

  /** Flushes `writes` at the end of this turn; once per batch (a flush before is harmless). */
  hold(writes: HeldWrites): void {
    this.held.push(writes);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.releaseAll);
    }
  }

  private readonly releaseAll = (): void => {
    const held = this.held;
    this.held = [];
    this.scheduled = false;
    for (const writes of held) writes.flushHeld();
  };
}
