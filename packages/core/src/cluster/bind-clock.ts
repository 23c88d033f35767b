import type { ServiceIdentifier } from 'inversify';

/**
 * When unique-session binds happened, as the frontends announce them to each other: the wall
 * clock, kept past every bind announced here so far (a Lamport clock). A bind made here after an
 * announcement arrived is stamped later than it, however far the announcer's clock runs ahead, so
 * the newer login is the one kept.
 */
export class BindClock {
  private latest = 0;

  /** Another frontend announced a bind made at `time`. */
  saw(time: number): void {
    if (time > this.latest) this.latest = time;
  }

  /** The time of a bind made here, `boundAt` or later. */
  stamp(boundAt = 0): number {
    this.latest = Math.max(Date.now(), boundAt, this.latest + 1);
    return this.latest;
  }
}

/** The clock the cluster's wiring stamps binds with and its request handler reads announcements by. */
export const BIND_CLOCK: ServiceIdentifier<BindClock> = Symbol('BindClock');
