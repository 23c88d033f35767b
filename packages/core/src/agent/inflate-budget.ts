/**
 * What inflating a client's compressed bodies may cost its connection: `rate` inflated bytes per
 * second, up to one second's worth saved up (a token bucket). A body's inflated size is known only
 * once it is inflated, so the budget may go into debt by one body; the agent then stops reading the
 * connection until the debt is paid off.
 */
export class InflateBudget {
  private available: number;
  private last: number;

  constructor(
    private readonly rate: number,
    now: number,
  ) {
    this.available = rate;
    this.last = now;
  }

  /** Spends `bytes` at `now` (ms); returns how long (ms) to wait before inflating more, 0 for not at all. */
  spend(bytes: number, now: number): number {
    const saved = Math.min(this.rate, this.available + ((now - this.last) * this.rate) / 1000);
    this.last = now;
    this.available = saved - bytes;
    return this.available >= 0 ? 0 : (-this.available * 1000) / this.rate;
  }
}
