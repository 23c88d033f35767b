import { PacketType } from '@pitaya-ts/protocol';
import type { Acceptor, AcceptorSettings, ConnectionHandlers, PlayerConnection } from './acceptor';

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
    if (now - this.slots[this.next]! < this.rate.intervalMs) return false;
    this.slots[this.next] = now;
    this.next = (this.next + 1) % this.slots.length;
    return true;
  }
}

class RateLimitedConnection implements PlayerConnection {
  private readonly bucket: LeakyBucket;

  constructor(
    private readonly inner: PlayerConnection,
    rate: RateLimit,
  ) {
    this.bucket = new LeakyBucket(rate);
  }

  get remoteAddress(): string {
    return this.inner.remoteAddress;
  }

  get needsDrain(): boolean {
    return this.inner.needsDrain;
  }

  setHandlers(handlers: ConnectionHandlers): void {
    this.inner.setHandlers({
      ...handlers,
      onPacket: (packet) => {
        // only requests and notifies count: heartbeats and the handshake must always pass
        if (packet.type === PacketType.Data && !this.bucket.take(Date.now())) handlers.onDropped?.('ratelimit');
        else handlers.onPacket(packet);
      },
    });
  }

  write(packet: Uint8Array): void {
    this.inner.write(packet);
  }
  pause(): void {
    this.inner.pause();
  }
  resume(): void {
    this.inner.resume();
  }
  close(): void {
    this.inner.close();
  }
}

/**
 * Wraps an acceptor so each of its connections is rate limited (Pitaya's WithWrappers with the
 * rate limiter): `limit` Data packets per `interval`, from `pitaya.conn.ratelimiting.*` unless
 * given here; excess is dropped and counted. `pitaya.conn.ratelimiting.forcedisable` turns it off.
 */
export class RateLimitingAcceptor implements Acceptor {
  constructor(
    readonly inner: Acceptor,
    private readonly rate?: RateLimit,
  ) {}

  get protocol(): string {
    return this.inner.protocol;
  }

  listen(onConnection: (connection: PlayerConnection) => void, settings: AcceptorSettings): Promise<void> {
    if (settings.rateLimitDisabled) return this.inner.listen(onConnection, settings);
    const rate = this.rate ?? settings.rateLimit;
    return this.inner.listen((connection) => onConnection(new RateLimitedConnection(connection, rate)), settings);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  address(): { host: string; port: number } | undefined {
    return this.inner.address();
  }
}
