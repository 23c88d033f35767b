import 'reflect-metadata';
import { PitayaError, TOKENS } from '@pitaya-ts/core';
import { MemoryCluster } from '@pitaya-ts/core/provider';
import { natsRpcModule } from '@pitaya-ts/nats';
import { startNatsServer, waitFor, type NatsServer } from '@pitaya-ts/testing';
import { held, startCluster, type TestCluster } from '../../core/test/cluster/fixtures';

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

    const inFlight = client.request('room.room.held', {}, { timeout: 10_000 });
    await waitFor(() => held.count === 1, 'the call to reach the room');
    await nats.stop();
    const error = await inFlight.catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PIT-500', msg: expect.stringContaining('connection was lost') });
    // failed at once: the room still holds the call
    expect(held.count).toBe(1);
    held.release();

    // calls made while NATS is away: each gets an answer or an error, none hangs
    let settled = 0;
    const during = Array.from({ length: 5 }, (_, i) =>
      client
        .request('room.room.slow', { ms: i }, { timeout: 10_000 })
        .then(
          (): { ok: boolean; code?: string } => ({ ok: true }),
          (err: unknown) => ({ ok: false, code: PitayaError.is(err) ? err.code : String(err) }),
        )
        .finally(() => settled++),
    );
    // the connector has them (they run one at a time: one session) before NATS comes back
    const dispatcher = cluster.connectors[0]!.container.get(TOKENS.Dispatcher);
    await waitFor(() => dispatcher.running > 0 || settled === during.length, 'the calls to reach the connector');
    await nats.start();
    const outcomes = await Promise.all(during);
    for (const outcome of outcomes) {
      if (!outcome.ok) expect(outcome.code).toMatch(/^PIT-(408|500)$/);
    }

    // after the reconnect, calls succeed again
    let answer: unknown;
    const answered = async () => {
      answer = await client.request('room.room.slow', { ms: 1 }, { timeout: 5000 }).catch(() => undefined);
      return answer !== undefined;
    };
    await waitFor(answered, 20_000, 'a call to succeed after the reconnect');
    expect(answer).toEqual({ slept: 1 });
  }, 30_000);
});
