import type { PitayaApp } from '@pitaya-ts/core';
import { startRedisServer, type RedisServer } from '@pitaya-ts/testing';
import { reliableRpc } from '@pitaya-ts/worker';
import { ECHO, freshNamespace, remote, startWorkerServer, waitFor } from './helpers';

describe('Redis restarted under a worker', () => {
  let redis: RedisServer;
  let app: PitayaApp | undefined;

  beforeAll(async () => {
    redis = await startRedisServer();
  });

  afterAll(async () => {
    await app?.stop();
    await redis?.stop();
  });

  it('fails enqueues clearly while Redis is away, then enqueues and runs jobs again once it is back', async () => {
    remote.reset();
    app = await startWorkerServer({ redis, namespace: freshNamespace() });
    await reliableRpc(app, ECHO, { n: 1 });
    await waitFor(() => remote.calls.length === 1, 'the first job');

    await redis.stop();
    for (const n of [2, 3]) {
      await expect(reliableRpc(app, ECHO, { n })).rejects.toMatchObject({
        code: 'PIT-503',
        message: expect.stringContaining(`reliable RPC ${ECHO} not enqueued: Redis at 127.0.0.1:${redis.port}`),
      });
    }

    // an empty Redis on the same port (no persistence): the worker reconnects and fetches again
    await redis.start();
    await reliableRpc(app, ECHO, { n: 4 });
    await waitFor(() => remote.calls.length === 2, 20_000, 'a job enqueued after the restart');
    expect(remote.calls.map((call) => call.arg)).toEqual([{ n: 1 }, { n: 4 }]);
  }, 40_000);
});
