import type { Redis } from 'ioredis';
import { PrometheusReporter, type PitayaApp } from '@pitaya-ts/core';
import { startRedisServer, type RedisServer } from '@pitaya-ts/testing';
import { reliableRpc, WORKER_TOKENS, WorkerMetric } from '@pitaya-ts/worker';
import { ECHO, freshNamespace, inspect, RecordingReporter, remote, startWorkerServer, waitFor } from './helpers';

/** A door the remote waits at until the test opens it. */
function door(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('workers at work', () => {
  let redis: RedisServer;
  let db: Redis;
  const apps: PitayaApp[] = [];
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
    for (const app of apps.splice(0)) await app.stop();
  });

  afterAll(async () => {
    db?.disconnect();
    await redis?.stop();
  });

  const start = async (options: Omit<Parameters<typeof startWorkerServer>[0], 'redis' | 'namespace'>) => {
    const app = await startWorkerServer({ redis, namespace: ns, ...options });
    apps.push(app);
    return app;
  };
  const queued = () => db.lrange(`${ns}:queue:rpc`, 0, -1);
  const inProgress = () => db.llen(`${ns}:queue:rpc:${ns}-host:inprogress`);

  it('runs at most pitaya.worker.concurrency jobs at once, leaving the rest in Redis, and reports it', async () => {
    const reporter = new RecordingReporter();
    const app = await start({
      reporter,
      config: { 'pitaya.worker.concurrency': 3, 'pitaya.worker.poll.interval': '20ms' },
    });
    const { opened, open } = door();
    remote.behave = () => opened;
    for (let n = 0; n < 10; n++) await reliableRpc(app, ECHO, { n });

    await waitFor(() => remote.running === 3, 'three jobs to run');
    // fetched only as slots free: the others wait in the queue, for any worker to take
    expect(await queued()).toHaveLength(7);
    expect(await inProgress()).toBe(3);
    expect(reporter.gauges(WorkerMetric.TotalWorkers)).toEqual([3]);
    expect(reporter.gauges(WorkerMetric.BusyWorkers).at(-1)).toBe(3);
    await waitFor(() => reporter.gauges(WorkerMetric.QueueSize).includes(7), 'the queue size to be sampled');

    open();
    await waitFor(async () => remote.calls.length === 10 && (await inProgress()) === 0, 'every job');
    expect(remote.maxRunning).toBe(3);
    expect(Math.max(...reporter.gauges(WorkerMetric.BusyWorkers))).toBe(3);
    await waitFor(() => reporter.gauges(WorkerMetric.BusyWorkers).at(-1) === 0, 'the busy gauge to fall');
    expect(reporter.count(WorkerMetric.JobsTotal, { status: 'ok' })).toBe(10);
    expect(reporter.count(WorkerMetric.JobsTotal, { status: 'failed' })).toBe(0);
  });

  it('counts failed jobs and the retries it schedules', async () => {
    const reporter = new RecordingReporter();
    const app = await start({ reporter, config: { 'pitaya.worker.poll.interval': '20ms' } });
    remote.behave = async () => {
      if (remote.calls.length === 1) throw new Error('once');
    };
    await reliableRpc(app, ECHO, {}, { retry: { exponential: 0, minDelay: 0, maxDelay: 0, maxRandom: 0 } });
    await waitFor(() => reporter.count(WorkerMetric.JobsTotal, { status: 'ok' }) === 1, 'the retry to succeed');
    expect(reporter.count(WorkerMetric.JobsTotal, { status: 'failed' })).toBe(1);
    expect(reporter.count(WorkerMetric.JobsRetry)).toBe(1);
  });

  it("serves the worker metrics under Pitaya's names through the Prometheus reporter", async () => {
    const reporter = new PrometheusReporter({ port: 0, game: 'g', serverType: 'wt' });
    reporter.reportGauge(WorkerMetric.BusyWorkers, { pool: 'rpc' }, 2);
    reporter.reportGauge(WorkerMetric.TotalWorkers, { pool: 'rpc' }, 10);
    reporter.reportCount(WorkerMetric.JobsTotal, { status: 'ok' }, 3);
    reporter.reportCount(WorkerMetric.JobsRetry, {}, 1);
    reporter.reportGauge(WorkerMetric.QueueSize, { queue: 'rpc' }, 5);
    const text = await reporter.registry.metrics();
    expect(text).toContain('pitaya_worker_pool_busy_workers{pool="rpc",game="g",serverType="wt"} 2');
    expect(text).toContain('pitaya_worker_pool_total_workers{pool="rpc",game="g",serverType="wt"} 10');
    expect(text).toContain('pitaya_worker_worker_jobs_total{status="ok",game="g",serverType="wt"} 3');
    expect(text).toContain('pitaya_worker_worker_jobs_retry_total{game="g",serverType="wt"} 1');
    expect(text).toContain('pitaya_worker_worker_queue_size{queue="rpc",game="g",serverType="wt"} 5');
  });

  it('lets running jobs finish when the server stops, and acknowledges them', async () => {
    const app = await start({});
    const { opened, open } = door();
    remote.behave = () => opened;
    await reliableRpc(app, ECHO, { n: 1 });
    await reliableRpc(app, ECHO, { n: 2 });
    await waitFor(() => remote.running === 2, 'both jobs to run');

    const worker = app.container.get(WORKER_TOKENS.Worker);
    const stopped = app.stop();
    apps.splice(apps.indexOf(app), 1);
    // it fetches no more, and waits for the jobs it runs
    await waitFor(() => worker.state === 'draining', 'the worker to drain');
    open();
    await stopped;
    expect(worker.state).toBe('stopped');
    expect(await inProgress()).toBe(0);
    expect(await queued()).toEqual([]);
    expect(remote.calls).toHaveLength(2);
  });

  it('puts jobs still running after pitaya.shutdown.timeout back at the head of the queue, where they run next', async () => {
    const app = await start({
      config: { 'pitaya.worker.concurrency': 2 },
      core: { 'pitaya.shutdown.timeout': '100ms' },
    });
    const { opened, open } = door();
    remote.behave = () => opened;
    for (const n of [1, 2, 3]) await reliableRpc(app, ECHO, { n });
    await waitFor(() => remote.running === 2, 'two jobs to run');

    await app.stop();
    apps.splice(apps.indexOf(app), 1);
    expect(await inProgress()).toBe(0);
    const args = (await queued()).map((text) => (JSON.parse(text) as { args: { Arg: { n: number } } }).args.Arg.n);
    // jobs pop from the right: the two given back come first, then the one never fetched
    expect(args.slice(1).sort()).toEqual([1, 2]);
    expect(args[0]).toBe(3);
    // their late end changes nothing: no acknowledgement, retry or burial
    open();
    await waitFor(() => remote.running === 0, 'the held jobs to end');
    expect(await queued()).toHaveLength(3);
    expect(await db.zcard(`${ns}:goretry`)).toBe(0);

    await start({});
    await waitFor(async () => remote.calls.length === 5 && (await queued()).length === 0, 'the jobs to run again');
    expect(
      remote.calls
        .slice(2)
        .map((call) => (call.arg as { n: number }).n)
        .sort(),
    ).toEqual([1, 2, 3]);
  });
});
