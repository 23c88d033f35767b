import { PacketType, type Packet } from '@pitaya-ts/protocol';
import type { Acceptor, AcceptorSettings, ConnectionHandlers, PlayerConnection } from './acceptor';
import { AcceptorWrapper, WrappedConnection } from './acceptor-wrapper';

export interface RateLimit {
  /** Requests allowed per interval. */
  limit: number;
  /** Window, in ms. */
  intervalMs: number;
}

/**
 * Pitaya's leaky bucket: `limit` slots, each freed `interval` after the request that took it.
 * A request that finds no free slot is dropped.
 */
export class LeakyBucket {
  private readonly slots: number[];
  private next = 0;

  constructor(private readonly rate: RateLimit) {
    this.slots = new Array<number>(rate.limit).fill(-Infinity);
  }

  take(now: number): boolean {
    // slots fill in time order: the next to reuse is the oldest
    if (now - (this.slots[this.next] ?? -Infinity) < this.rate.intervalMs) return false;
    this.slots[this.next] = now;
    this.next = (this.next + 1) % this.slots.length;
    return true;
  }
}

class RateLimitedConnection extends WrappedConnection {
  private readonly bucket: LeakyBucket;

  constructor(inner: PlayerConnection, rate: RateLimit) {
    super(inner);
    this.bucket = new LeakyBucket(rate);
  }

  protected onPacket(packet: Packet, handlers: ConnectionHandlers): void {
    // only requests and notifies count: heartbeats and the handshake must always pass
    if (packet.type === PacketType.Data && !this.bucket.take(Date.now())) handlers.onDropped?.('ratelimit');
    else handlers.onPacket(packet);
  }
}

/**
 * Wraps an acceptor so each of its connections is rate limited (Pitaya's WithWrappers with the
 * rate limiter): `limit` Data packets per `interval`, from `pitaya.conn.ratelimiting.*` unless
 * given here; excess is dropped and counted. `pitaya.conn.ratelimiting.forcedisable` turns it off.
 */
export class RateLimitingAcceptor extends AcceptorWrapper {
  constructor(
    inner: Acceptor,
    private readonly rate?: RateLimit,
  ) {
    super(inner);
  }

  protected wrap(connection: PlayerConnection, settings: AcceptorSettings): PlayerConnection {
    return settings.rateLimitDisabled
      ? connection
      : new RateLimitedConnection(connection, this.rate ?? settings.rateLimit);
  }
}
