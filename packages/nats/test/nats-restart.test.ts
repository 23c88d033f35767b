import 'reflect-metadata';
import { MemoryCluster } from '@pitaya-ts/core';
import { natsRpcModule } from '@pitaya-ts/nats';
import { startNatsServer, type NatsServer } from '@pitaya-ts/testing';
import { startCluster, type TestCluster } from '../../core/test/cluster/fixtures';

describe('NATS restarted mid-run', () => {
  let nats: NatsServer;
  let cluster: TestCluster;

  beforeAll(async () => {
    nats = await startNatsServer();
    const config = {
      'pitaya.cluster.rpc.client.nats.connect': nats.url,
      'pitaya.cluster.rpc.server.nats.connect': nats.url,
      'pitaya.cluster.rpc.client.nats.requesttimeout': '3s',
    };
    const discovery = new MemoryCluster().providers();
    cluster = await startCluster(() => [discovery, natsRpcModule()], { config });
  }, 30_000);

  afterAll(async () => {
    await cluster?.stop();
    await nats?.stop();
  });

  it('fails the calls in flight at once and clearly, answers every call, and works again after reconnecting', async () => {
    const client = await cluster.client();
    await expect(client.request('room.room.slow', { ms: 1 })).resolves.toEqual({ slept: 1 });

    const started = Date.now();
    const inFlight = client.request('room.room.slow', { ms: 2000 }, { timeout: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await nats.stop();
    const error = await inFlight.catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PIT-500', msg: expect.stringContaining('connection was lost') });
    expect(Date.now() - started).toBeLessThan(2000);

    // calls made while NATS is away: each gets an answer or an error, none hangs
    const during = Array.from({ length: 5 }, (_, i) =>
      client.request('room.room.slow', { ms: i }, { timeout: 10_000 }).then(
        (): { ok: boolean; code?: string } => ({ ok: true }),
        (err: { code: string }) => ({ ok: false, code: err.code }),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    await nats.start();
    const outcomes = await Promise.all(during);
    for (const outcome of outcomes) {
      if (!outcome.ok) expect(outcome.code).toMatch(/^PIT-(408|500)$/);
    }

    // after the reconnect, calls succeed again
    const deadline = Date.now() + 10_000;
    let answer: unknown;
    while (Date.now() < deadline) {
      answer = await client.request('room.room.slow', { ms: 1 }, { timeout: 5000 }).catch(() => undefined);
      if (answer) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(answer).toEqual({ slept: 1 });
  }, 30_000);
});
