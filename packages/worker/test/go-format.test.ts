import Long from 'long';
import type { Redis } from 'ioredis';
import type { PitayaApp } from '@pitaya-ts/core';
import { startRedisServer, type RedisServer } from '@pitaya-ts/testing';
import { reliableRpc } from '@pitaya-ts/worker';
import { ECHO, freshNamespace, GRANT, inspect, remote, startWorkerServer, waitFor } from './helpers';

// go-workers' job as Pitaya v2 writes it (spec: "What Pitaya actually writes"), with an argument
// holding what JSON numbers lose in JavaScript, a key in another case and a key no field has
const GO_JOB =
  '{"queue":"rpc","class":"","args":{"Route":"wt.jobs.grant","Metadata":{"from":"go-gosv-w1","n":7},' +
  '"Arg":{"USER_ID":"u-go","points":9007199254740993,"token":"AQID","kind":1,"tags":["x"],"counts":{"a":2},' +
  '"inner":{"note":"\\u003cb\\u003e"},"ratio":0.5,"weight":0.1,"active":true,"big":18446744073709551615,"unknown":1},' +
  '"Reply":{}},"jid":"0eda1f7585d9fe345dac9506","enqueued_at":1796040299.1787105,"retry":true,"retry_max":5,' +
  '"retry_options":{"exp":0,"min_delay":0,"max_delay":1,"max_rand":0},"connection_options":{"Address":"",' +
  '"Password":"","Database":"","ProcessID":"","Namespace":"","PoolSize":0,"PoolInterval":0,"DialOptions":null}}';

const CONNECTION_OPTIONS =
  '{"Address":"","Password":"","Database":"","ProcessID":"","Namespace":"","PoolSize":0,"PoolInterval":0,"DialOptions":null}';

describe("jobs in go-workers' form, shared with Go Pitaya servers", () => {
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

  it('enqueues exactly what Pitaya writes: the keys, the job JSON field by field, Go types and key order', async () => {
    app = await startWorkerServer({ redis, namespace: ns, runJobs: false });
    const before = Date.now() / 1000;
    const jid = await reliableRpc(
      app,
      GRANT,
      {
        userId: 'u-1',
        points: Long.fromString('9007199254740993'),
        token: new Uint8Array([1, 2, 3]),
        kind: 1,
        tags: ['a', 'b'],
        counts: { b: 2, a: 1 },
        inner: { note: '<hi> & bye' },
        ratio: 0.25,
        weight: 0.1,
        active: true,
        big: Long.fromString('18446744073709551615', true),
        level: 0,
        zero: 0,
      },
      { metadata: { n: 1, from: 'ts' } },
    );
    const after = Date.now() / 1000;

    expect(jid).toMatch(/^[0-9a-f]{24}$/);
    expect(await db.smembers(`${ns}:queues`)).toEqual(['rpc']);
    const [text, ...others] = await db.lrange(`${ns}:queue:rpc`, 0, -1);
    expect(others).toEqual([]);

    // field by field, with the types Go gives them
    const job = JSON.parse(text!) as Record<string, unknown>;
    expect(Object.keys(job)).toEqual([
      'queue',
      'class',
      'args',
      'jid',
      'enqueued_at',
      'retry',
      'retry_max',
      'retry_options',
      'connection_options',
    ]);
    expect(job.queue).toBe('rpc');
    expect(job.class).toBe('');
    expect(job.jid).toBe(jid);
    expect(typeof job.enqueued_at).toBe('number');
    expect(job.enqueued_at).toBeGreaterThanOrEqual(before - 0.001);
    expect(job.enqueued_at).toBeLessThanOrEqual(after + 0.001);
    expect(Number.isInteger(job.enqueued_at)).toBe(false); // float seconds, finer than a second
    expect(job.retry).toBe(true);
    expect(job.retry_max).toBe(5);
    expect(job).not.toHaveProperty('retry_count');
    expect(job).not.toHaveProperty('at');
    expect(job.retry_options).toEqual({ exp: 5, min_delay: 10, max_delay: 10, max_rand: 10 });
    expect(Object.keys(job.args as object)).toEqual(['Route', 'Metadata', 'Arg', 'Reply']);

    // and as text: Go's key order, int64 digits, base64 bytes, enum numbers, sorted map and
    // metadata keys, HTML-escaped strings, zeros left out but a set `optional` kept
    const arg =
      '{"user_id":"u-1","points":9007199254740993,"token":"AQID","kind":1,"tags":["a","b"],"counts":{"a":1,"b":2},' +
      '"inner":{"note":"\\u003chi\\u003e \\u0026 bye"},"ratio":0.25,"weight":0.1,"active":true,' +
      '"big":18446744073709551615,"level":0}';
    expect(text).toBe(
      `{"queue":"rpc","class":"","args":{"Route":"${GRANT}","Metadata":{"from":"ts","n":1},"Arg":${arg},"Reply":{}},` +
        `"jid":"${jid}","enqueued_at":${String(job.enqueued_at)},"retry":true,"retry_max":5,` +
        `"retry_options":{"exp":5,"min_delay":10,"max_delay":10,"max_rand":10},"connection_options":${CONNECTION_OPTIONS}}`,
    );
  });

  it("leaves out a call's zero retry options, as omitempty does", async () => {
    app = await startWorkerServer({ redis, namespace: ns, runJobs: false });
    await reliableRpc(app, ECHO, { text: 'hi' }, { retry: { enabled: false, max: 0, exponential: 2 } });
    const job = JSON.parse((await db.lindex(`${ns}:queue:rpc`, 0))!) as Record<string, unknown>;
    expect(job).not.toHaveProperty('retry');
    expect(job).not.toHaveProperty('retry_max');
    expect(job.retry_options).toEqual({ exp: 2, min_delay: 10, max_delay: 10, max_rand: 10 });
    expect((job.args as Record<string, unknown>).Arg).toEqual({ text: 'hi' });
  });

  it('runs a job a Go server enqueued: every digit of its int64s, bytes, enums, metadata', async () => {
    await db.sadd(`${ns}:queues`, 'rpc');
    await db.lpush(`${ns}:queue:rpc`, GO_JOB);
    app = await startWorkerServer({ redis, namespace: ns });
    await waitFor(() => remote.calls.length === 1, 'the job to run');

    const [call] = remote.calls;
    const arg = call!.arg as Record<string, unknown>;
    expect(arg.userId).toBe('u-go');
    expect(String(arg.points)).toBe('9007199254740993');
    expect(String(arg.big)).toBe('18446744073709551615');
    expect([...(arg.token as Uint8Array)]).toEqual([1, 2, 3]);
    expect(arg.kind).toBe(1);
    expect(arg.tags).toEqual(['x']);
    expect(arg.counts).toEqual({ a: 2 });
    expect(arg.inner).toEqual({ note: '<b>' });
    expect(arg.ratio).toBe(0.5);
    expect(arg.weight).toBe(Math.fround(0.1));
    expect(arg.active).toBe(true);
    expect(call!.metadata).toMatchObject({ from: 'go-gosv-w1', n: 7 });

    // acknowledged: gone from the queue and from this server's in-progress list
    await waitFor(async () => (await db.llen(`${ns}:queue:rpc:${ns}-host:inprogress`)) === 0, 'the acknowledgement');
    expect(await db.llen(`${ns}:queue:rpc`)).toBe(0);
  });

  it('runs a Go job whose route has no protobuf type with its argument as JSON', async () => {
    await db.lpush(
      `${ns}:queue:rpc`,
      GO_JOB.replace('wt.jobs.grant', ECHO).replace(/"Arg":\{.*?\},"Reply"/, '"Arg":{"text":"wg1"},"Reply"'),
    );
    app = await startWorkerServer({ redis, namespace: ns });
    await waitFor(() => remote.calls.length === 1, 'the job to run');
    expect(remote.calls[0]!.arg).toEqual({ text: 'wg1' });
  });

  it('runs a job enqueued here with the argument it was given', async () => {
    app = await startWorkerServer({ redis, namespace: ns });
    await reliableRpc(app, GRANT, { userId: 'u-2', points: 12, tags: ['t'] }, { metadata: { trace: 'abc' } });
    await waitFor(() => remote.calls.length === 1, 'the job to run');
    expect(remote.calls[0]!.arg).toMatchObject({ userId: 'u-2', tags: ['t'] });
    expect(String((remote.calls[0]!.arg as { points: unknown }).points)).toBe('12');
    expect(remote.calls[0]!.metadata).toMatchObject({ trace: 'abc' });
  });

  it('refuses what cannot become a job with a clear PIT-400, and enqueues nothing', async () => {
    app = await startWorkerServer({ redis, namespace: ns, runJobs: false });
    await expect(reliableRpc(app, 'jobs.grant', {})).rejects.toMatchObject({
      code: 'PIT-400',
      message: expect.stringContaining('serverType.service.method'),
    });
    await expect(reliableRpc(app, GRANT, { points: 'many' })).rejects.toMatchObject({
      code: 'PIT-400',
      message: expect.stringContaining('points'),
    });
    await expect(reliableRpc(app, ECHO, new Uint8Array([1]))).rejects.toMatchObject({ code: 'PIT-400' });
    expect(await db.llen(`${ns}:queue:rpc`)).toBe(0);
  });
});
