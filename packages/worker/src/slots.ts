/** A fixed number of slots: `take` waits for a free one, and resolves false once closed. */
export class Slots {
  private readonly waiting: ((taken: boolean) => void)[] = [];
  private closed = false;

  constructor(private free: number) {}

  take(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    if (this.free > 0) {
      this.free--;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  give(): void {
    const next = this.waiting.shift();
    if (next) next(true);
    else this.free++;
  }

  /** Refuses every take from now on, those waiting too. */
  close(): void {
    this.closed = true;
    for (const waiter of this.waiting.splice(0)) waiter(false);
  }
}
