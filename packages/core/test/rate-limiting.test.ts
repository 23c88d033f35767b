import 'reflect-metadata';
import type { PitayaClient } from '@pitaya-ts/client';
import { Handler, RateLimitingAcceptor, TOKENS, type HandlerContext, type PitayaApp } from '@pitaya-ts/core';
import { LeakyBucket } from '@pitaya-ts/core/provider';
import { Harness, RecordingReporter, tcpAcceptor, waitFor, wsAcceptor } from './helpers';

describe('LeakyBucket', () => {
  it('lets `limit` requests through per interval, freeing each slot an interval after it was taken', () => {
    const bucket = new LeakyBucket({ limit: 3, intervalMs: 1000 });
    expect([0, 1, 2].map((t) => bucket.take(t))).toEqual([true, true, true]);
    expect(bucket.take(3)).toBe(false);
    expect(bucket.take(999)).toBe(false);
    expect(bucket.take(1000)).toBe(true); // the slot taken at 0
    expect(bucket.take(1000)).toBe(false); // the next frees at 1001
    expect(bucket.take(1001)).toBe(true);
    expect(bucket.take(1002)).toBe(true);
    expect(bucket.take(1002)).toBe(false);
  });

  it('does not count refused requests', () => {
    const bucket = new LeakyBucket({ limit: 1, intervalMs: 100 });
    expect(bucket.take(0)).toBe(true);
    for (let t = 1; t < 100; t += 10) expect(bucket.take(t)).toBe(false);
    expect(bucket.take(100)).toBe(true);
  });
});

describe('RateLimitingAcceptor', () => {
  const harness = new Harness();
  afterEach(() => harness.cleanup());

  @Handler()
  class PingHandler {
    ping(body: { i: number }, { session }: HandlerContext): number {
      session.set('count', (session.get<number>('count') ?? 0) + 1);
      return body.i;
    }
  }

  let reporter: RecordingReporter;
  beforeEach(() => {
    reporter = new RecordingReporter();
  });
  /** Counts what the acceptor drops: a dropped request is never answered, and no timer says so. */
  const recordDrops = (app: PitayaApp) => {
    app.container.rebind(TOKENS.MetricsReporter).toConstantValue(reporter);
  };
  const dropped = () => reporter.of('acceptor_exceeded_rate_limiting').reduce((sum, r) => sum + r.value, 0);

  /** Sends `n` requests at once; resolves, once each was answered or dropped, with the answers and 'DROPPED'. */
  async function burst(client: PitayaClient, n: number): Promise<(number | string)[]> {
    const results: (number | string)[] = new Array(n).fill('DROPPED');
    const droppedBefore = dropped();
    let answered = 0;
    for (let i = 0; i < n; i++) {
      client.request('game.ping.ping', { i }).then(
        (answer) => ((results[i] = answer as number), answered++),
        () => undefined, // a dropped request fails when its client closes
      );
    }
    await waitFor(() => answered + dropped() - droppedBefore === n, `${n} requests answered or dropped`);
    return results;
  }

  const limited = {
    'pitaya.conn.ratelimiting.limit': 3,
    'pitaya.conn.ratelimiting.interval': '1s',
  };

  it.each([
    ['TCP', tcpAcceptor],
    ['WebSocket', wsAcceptor],
  ])('over %s, answers only `limit` of a burst and drops the rest, counting them', async (_name, inner) => {
    const app = await harness.server({
      handlers: [PingHandler],
      acceptors: [new RateLimitingAcceptor(inner())],
      config: limited,
      beforeStart: recordDrops,
    });
    const client = await harness.client(app);
    const results = await burst(client, 6);
    expect(results).toEqual([0, 1, 2, 'DROPPED', 'DROPPED', 'DROPPED']);
    expect(dropped()).toBe(3);
    // dropped messages never reached a handler
    expect([...app.sessions.sessions()][0]!.get('count')).toBe(3);
    // the connection stays up: heartbeats and the handshake are never limited
    expect(client.connected).toBe(true);
  });

  it('limits each connection on its own', async () => {
    const app = await harness.server({
      handlers: [PingHandler],
      acceptors: [new RateLimitingAcceptor(tcpAcceptor())],
      config: limited,
      beforeStart: recordDrops,
    });
    const [a, b] = await Promise.all([harness.client(app), harness.client(app)]);
    // one after the other: with a bucket for both, the second would have no slot left
    const ra = await burst(a, 4);
    const rb = await burst(b, 4);
    expect(ra).toEqual([0, 1, 2, 'DROPPED']);
    expect(rb).toEqual([0, 1, 2, 'DROPPED']);
  });

  it('takes its own limit over the configuration', async () => {
    const app = await harness.server({
      handlers: [PingHandler],
      acceptors: [new RateLimitingAcceptor(tcpAcceptor(), { limit: 2, intervalMs: 60_000 })],
      config: limited,
      beforeStart: recordDrops,
    });
    expect(await burst(await harness.client(app), 4)).toEqual([0, 1, 'DROPPED', 'DROPPED']);
  });

  it('lets requests through again once the interval has passed', async () => {
    const app = await harness.server({
      handlers: [PingHandler],
      acceptors: [new RateLimitingAcceptor(tcpAcceptor())],
      config: { 'pitaya.conn.ratelimiting.limit': 2, 'pitaya.conn.ratelimiting.interval': '100ms' },
      beforeStart: recordDrops,
    });
    const client = await harness.client(app);
    expect(await burst(client, 3)).toEqual([0, 1, 'DROPPED']);
    // the behaviour under test is the clock's: one interval later, every slot is free again
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await burst(client, 2)).toEqual([0, 1]);
  });

  it('is off with pitaya.conn.ratelimiting.forcedisable', async () => {
    const app = await harness.server({
      handlers: [PingHandler],
      acceptors: [new RateLimitingAcceptor(tcpAcceptor())],
      config: { ...limited, 'pitaya.conn.ratelimiting.forcedisable': true },
      beforeStart: recordDrops,
    });
    expect(await burst(await harness.client(app), 6)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('does not limit an acceptor that is not wrapped', async () => {
    const app = await harness.server({
      handlers: [PingHandler],
      acceptors: [tcpAcceptor()],
      config: limited,
      beforeStart: recordDrops,
    });
    expect(await burst(await harness.client(app), 6)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('reports the address and protocol of the acceptor it wraps', async () => {
    const inner = tcpAcceptor();
    const app = await harness.server({ acceptors: [new RateLimitingAcceptor(inner)] });
    expect(app.acceptors[0]!.protocol).toBe('tcp');
    expect(app.acceptors[0]!.address()).toEqual(inner.address());
    expect(inner.address()?.port).toBeGreaterThan(0);
  });
});
