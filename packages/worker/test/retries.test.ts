import type { Redis } from 'ioredis';
import { PitayaError, type PitayaApp } from '@pitaya-ts/core';
import { startRedisServer, type RedisServer } from '@pitaya-ts/testing';
import { reliableRpc, retryDelaySeconds } from '@pitaya-ts/worker';
import { ECHO, freshNamespace, inspect, queueOf, remote, startWorkerServer, waitFor } from './helpers';

const GO_TIME = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/;

describe("go-workers' backoff", () => {
  const options = { exp: 2, minDelay: 1, maxDelay: 100, maxRand: 3 };

  it('is min(count^exp + minDelay + rand(0..maxRand-1)*(count+1), maxDelay) whole seconds', () => {
    expect(retryDelaySeconds(2, options, () => 0)).toBe(4 + 1);
    expect(retryDelaySeconds(2, options, () => 0.5)).toBe(4 + 1 + 1 * 3);
    expect(retryDelaySeconds(2, options, () => 0.99)).toBe(4 + 1 + 2 * 3);
    expect(retryDelaySeconds(20, options, () => 0)).toBe(100);
    // the first retry: 0^exp, and Go's Pow(0, 0) is 1
    expect(retryDelaySeconds(0, { exp: 0, minDelay: 0, maxDelay: 10, maxRand: 0 })).toBe(1);
    expect(retryDelaySeconds(0, { exp: 5, minDelay: 10, maxDelay: 10, maxRand: 10 })).toBe(10);
  });
});

describe('retries of a failing job', () => {
  let redis: RedisServer;
  let db: Redis;
  let app: PitayaApp | undefined;
  let ns: string;

  beforeAll(async () => {
    redis = await startRedisServer();
    db = inspect(redis);
  });

  beforeEach(() => {
    remote.reset();
    ns = freshNamespace();
  });

  afterEach(async () => {
    await app?.stop();
    app = undefined;
  });

  afterAll(async () => {
    db?.disconnect();
    await redis?.stop();
  });

  const inProgress = () => db.llen(`${ns}:queue:rpc:${ns}-host:inprogress`);
  const retries = async () => await db.zrange(`${ns}:goretry`, '0', '-1', 'WITHSCORES');
  /** Moves what is due by then back to the queue, as the poller does at its next round. */
  const pollAt = (seconds: number) => queueOf(app!).moveDue(seconds);

  it('retries a remote that fails twice, with backoff, until it succeeds: three runs', async () => {
    // no poll of its own: the test moves due retries back itself, to see each step
    app = await startWorkerServer({ redis, namespace: ns, config: { 'pitaya.worker.poll.interval': '1h' } });
    remote.behave = async () => {
      if (remote.calls.length <= 2) throw new PitayaError('PIT-555', `busy ${remote.calls.length}`, { why: 'test' });
    };
    await reliableRpc(
      app,
      ECHO,
      { n: 1 },
      { retry: { max: 5, exponential: 0, minDelay: 2, maxDelay: 60, maxRandom: 0 } },
    );

    // first failure: in goretry at now + 1^0 + 2 seconds, rewritten as go-workers does
    await waitFor(async () => (await retries()).length === 2, 'the first retry to be scheduled');
    const failedAt = Date.now() / 1000;
    const [first, score] = await retries();
    expect(Number(score)).toBeGreaterThan(failedAt + 3 - 2);
    expect(Number(score)).toBeLessThanOrEqual(failedAt + 3);
    const entry = JSON.parse(first!) as Record<string, unknown>;
    expect(Object.keys(entry)).toEqual([...Object.keys(entry)].sort());
    expect(Object.keys(entry.args as object)).toEqual(['Arg', 'Metadata', 'Reply', 'Route']);
    expect(entry).toMatchObject({ queue: `${ns}:rpc`, error_message: 'busy 1', retry_count: 0, retry: true });
    expect(entry.failed_at).toMatch(GO_TIME);
    expect(entry).not.toHaveProperty('retried_at');
    expect(await inProgress()).toBe(0);
    expect(await db.llen(`${ns}:queue:rpc`)).toBe(0);

    // not due yet: it stays
    expect(await pollAt(failedAt)).toBe(0);
    expect(await pollAt(Number(score))).toBe(1);
    await waitFor(async () => (await retries()).length === 2, 'the second retry to be scheduled');
    const second = JSON.parse((await retries())[0]!) as Record<string, unknown>;
    expect(second).toMatchObject({ error_message: 'busy 2', retry_count: 1, failed_at: entry.failed_at });
    expect(second.retried_at).toMatch(GO_TIME);

    await pollAt(Date.now() / 1000 + 10);
    await waitFor(async () => remote.calls.length === 3 && (await inProgress()) === 0, 'the third run');
    expect(await retries()).toEqual([]);
    expect(remote.calls.map((call) => call.arg)).toEqual([{ n: 1 }, { n: 1 }, { n: 1 }]);
  });

  it('moves due retries back by itself every poll interval', async () => {
    app = await startWorkerServer({ redis, namespace: ns, config: { 'pitaya.worker.poll.interval': '50ms' } });
    remote.behave = async () => {
      if (remote.calls.length <= 2) throw new Error('not yet');
    };
    // go-workers' quickest backoff: min(..., maxdelay 0) = 0 s
    await reliableRpc(app, ECHO, {}, { retry: { exponential: 0, minDelay: 0, maxDelay: 0, maxRandom: 0 } });
    await waitFor(async () => remote.calls.length === 3 && (await inProgress()) === 0, 'three runs');
    expect(await retries()).toEqual([]);
  });

  it('keeps a job whose retries are spent in the dead set, with its last error: go-workers runs it max + 2 times', async () => {
    app = await startWorkerServer({ redis, namespace: ns, config: { 'pitaya.worker.poll.interval': '50ms' } });
    remote.behave = async () => {
      throw new Error(`broken ${remote.calls.length}`);
    };
    await reliableRpc(app, ECHO, {}, { retry: { max: 1, exponential: 0, minDelay: 0, maxDelay: 0, maxRandom: 0 } });
    await waitFor(async () => (await db.zcard(`${ns}:dead`)) === 1, 'the job to die');
    expect(remote.calls).toHaveLength(3);
    const dead = JSON.parse((await db.zrange(`${ns}:dead`, '0', '-1'))[0]!) as Record<string, unknown>;
    expect(dead).toMatchObject({ error_message: 'broken 3', retry_count: 2, retry_max: 1 });
    expect(await retries()).toEqual([]);
    expect(await inProgress()).toBe(0);
  });

  it('does not retry a job enqueued without retries: it dies at its first failure', async () => {
    app = await startWorkerServer({ redis, namespace: ns, config: { 'pitaya.worker.retry.enabled': false } });
    remote.behave = async () => {
      throw new Error('no');
    };
    await reliableRpc(app, ECHO, {});
    await waitFor(async () => (await db.zcard(`${ns}:dead`)) === 1, 'the job to die');
    expect(remote.calls).toHaveLength(1);
    expect(await retries()).toEqual([]);
  });

  it('keeps the newest pitaya.worker.dead.max dead jobs', async () => {
    app = await startWorkerServer({
      redis,
      namespace: ns,
      config: { 'pitaya.worker.retry.enabled': false, 'pitaya.worker.dead.max': 2 },
    });
    remote.behave = async () => {
      throw new Error('no');
    };
    for (const n of [1, 2, 3]) {
      await reliableRpc(app, ECHO, { n });
      await waitFor(() => remote.calls.length === n, `job ${n} to run`);
    }
    await waitFor(async () => (await inProgress()) === 0, 'the jobs to die');
    const dead = (await db.zrange(`${ns}:dead`, '0', '-1')).map(
      (text) => (JSON.parse(text) as { args: { Arg: unknown } }).args.Arg,
    );
    expect(dead).toEqual([{ n: 2 }, { n: 3 }]);
  });

  it('runs a job scheduled for later once it is due', async () => {
    app = await startWorkerServer({ redis, namespace: ns, config: { 'pitaya.worker.poll.interval': '50ms' } });
    const job = `{"queue":"rpc","class":"","args":{"Route":"${ECHO}","Metadata":null,"Arg":{"at":1},"Reply":{}},"jid":"00000000000000000000000a","enqueued_at":1764500000.5,"at":1764500001}`;
    await db.zadd(`${ns}:schedule`, 1764500001, job);
    await waitFor(() => remote.calls.length === 1, 'the scheduled job to run');
    expect(remote.calls[0]!.arg).toEqual({ at: 1 });
    expect(await db.zcard(`${ns}:schedule`)).toBe(0);
  });
});
