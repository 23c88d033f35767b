import { parse, stringify } from 'lossless-json';
import type { Core, ServerPicker } from './core-seams';
import type { GoJsonCodec } from './go-json';
import { Job, jsonText, nowSeconds, retryDelaySeconds, RPC_QUEUE } from './job';
import type { JobQueue } from './job-queue';
import { FETCH_TIMEOUT_S } from './job-queue';
import { WorkerMetric } from './metrics';
import { Slots } from './slots';
import type { WorkerConfig } from './worker-config';

/** protobuf message types of a route's argument and result (full names), as `app.rpc` takes them. */
export interface RpcTypes {
  request?: string;
  response?: string;
}

/** A pause after Redis refused a command, before the next try. */
const REDIS_ERROR_PAUSE_MS = 500;

/** idle: not started; draining: fetches no more, waits for its running jobs. */
export type WorkerState = 'idle' | 'running' | 'draining' | 'stopped';

interface Run {
  text: string;
  done: Promise<void>;
  /** Returned to the queue at stop: its outcome, when it comes, changes nothing. */
  givenBack: boolean;
}

const encoder = new TextEncoder();

/**
 * Runs RPC jobs as go-workers does: at most `pitaya.worker.concurrency` at once, each fetched into
 * this server's in-progress list and removed from it once done or rescheduled; what the list holds
 * at start (a crash, a stop that timed out) runs first. A failed job is retried with its backoff,
 * then kept in the dead set. A poller moves due retries and scheduled jobs back to the queue.
 */
export class Worker {
  private readonly slots: Slots;
  private readonly running = new Set<Run>();
  private stopping = false;
  private phase: WorkerState = 'idle';
  private loop: Promise<void> | undefined;
  private poller: ReturnType<typeof setTimeout> | undefined;
  private polling: Promise<void> = Promise.resolve();
  private readonly pool = { pool: RPC_QUEUE };

  constructor(
    private readonly queue: JobQueue,
    private readonly codec: GoJsonCodec,
    private readonly core: Core,
    private readonly config: WorkerConfig,
    private readonly types: Record<string, RpcTypes>,
    private readonly pickServer?: ServerPicker,
  ) {
    this.slots = new Slots(config.concurrency);
  }

  /** Jobs running now. */
  get busy(): number {
    return this.running.size;
  }

  get state(): WorkerState {
    return this.phase;
  }

  start(): void {
    if (this.loop) return;
    this.core.reporter.reportGauge(WorkerMetric.TotalWorkers, this.pool, this.config.concurrency);
    this.core.reporter.reportGauge(WorkerMetric.BusyWorkers, this.pool, 0);
    this.phase = 'running';
    this.loop = this.work();
    void this.poll();
  }

  /**
   * Stops fetching, gives running jobs `pitaya.shutdown.timeout` to finish, and puts those still
   * running back at the head of the queue (they run again, here or elsewhere: remotes are idempotent).
   */
  async stop(): Promise<void> {
    if (!this.loop || this.stopping) return;
    this.stopping = true;
    clearTimeout(this.poller);
    this.slots.close();
    // a fetch sent to Redis comes back within its timeout; one waiting for Redis is cut
    await within(this.loop, (FETCH_TIMEOUT_S + 1) * 1000);
    this.queue.stopFetching();
    await this.loop;
    await this.polling;
    this.phase = 'draining';
    await within(Promise.all([...this.running].map((run) => run.done)), this.core.shutdownTimeoutMs);
    if (this.running.size > 0) {
      this.core.logger.warn({ jobs: this.running.size }, 'jobs still running at shutdown go back to the queue');
      for (const run of this.running) {
        run.givenBack = true;
        await this.settle('give back', run.text, () => this.queue.giveBack(run.text));
      }
    }
    this.phase = 'stopped';
  }

  private async work(): Promise<void> {
    const leftOver = await this.untilRedisAnswers(() => this.queue.inProgress());
    if (leftOver.length) this.core.logger.info({ jobs: leftOver.length }, 'running the jobs left in progress');
    for (const text of leftOver) {
      if (!(await this.slots.take())) return;
      this.execute(text);
    }
    while (await this.slots.take()) {
      let text: string | null;
      try {
        text = await this.queue.fetch();
      } catch (err) {
        this.slots.give();
        if (this.stopping) return;
        this.core.logger.warn({ err }, 'cannot fetch jobs');
        await pause(REDIS_ERROR_PAUSE_MS);
        continue;
      }
      if (text === null) {
        this.slots.give();
      } else if (this.stopping) {
        // fetched as the stop came: it has not started
        this.slots.give();
        await this.settle('give back', text, () => this.queue.giveBack(text));
      } else {
        this.execute(text);
      }
    }
  }

  /** Retries a Redis read until it succeeds, or the worker stops (then resolves empty). */
  private async untilRedisAnswers(read: () => Promise<string[]>): Promise<string[]> {
    while (!this.stopping) {
      try {
        return await read();
      } catch (err) {
        this.core.logger.warn({ err }, 'cannot read the jobs left in progress');
        await pause(REDIS_ERROR_PAUSE_MS);
      }
    }
    return [];
  }

  /** Runs a job in the slot taken for it. */
  private execute(text: string): void {
    const run: Run = { text, givenBack: false, done: Promise.resolve() };
    this.running.add(run);
    this.reportBusy();
    run.done = this.runJob(run).finally(() => {
      this.running.delete(run);
      this.slots.give();
      this.reportBusy();
    });
  }

  private async runJob(run: Run): Promise<void> {
    const { text } = run;
    let job: Job;
    try {
      job = Job.parse(text);
    } catch (err) {
      this.count('failed');
      this.core.logger.error({ err, job: text }, 'not a job: kept with the dead jobs');
      await this.settle('bury', text, () => this.queue.bury(text, text, nowSeconds()));
      return;
    }
    try {
      await this.call(job);
      this.count('ok');
      if (!run.givenBack) await this.settle('acknowledge', text, () => this.queue.acknowledge(text));
    } catch (err) {
      this.count('failed');
      if (!run.givenBack) await this.failed(job, err);
    }
  }

  /** Pitaya's rpcJob: the argument decoded for its route's type, the RPC made. */
  private async call(job: Job): Promise<void> {
    const { route, metadata, arg } = job.rpc();
    const type = this.types[route]?.request;
    const body = type ? this.codec.fromGo(arg, type) : encoder.encode(stringify(arg));
    // metadata travels as JSON: numbers as JavaScript reads them
    const plain = parse(jsonText(metadata), null, (n) => Number(n)) as Record<string, unknown>;
    await this.core.call(route, body, plain, this.pickServer);
  }

  private async failed(job: Job, err: unknown): Promise<void> {
    const message = err instanceof Error ? err.message : String(err);
    const retried = job.failed(message, this.queue.keys.queueName, new Date());
    const log = { jid: job.jid, err: message, retryCount: retried.retryCount };
    if (job.retryable()) {
      const delay = retryDelaySeconds(retried.retryCount, retried.backoff);
      this.core.logger.info({ ...log, delay }, 'job failed: retrying');
      this.core.reporter.reportCount(WorkerMetric.JobsRetry, {}, 1);
      await this.settle('retry', job.text, () => this.queue.retry(job.text, retried.text, nowSeconds() + delay));
    } else {
      this.core.logger.warn(log, 'job failed for good: kept with the dead jobs');
      await this.settle('bury', job.text, () => this.queue.bury(job.text, retried.text, nowSeconds()));
    }
  }

  /** A Redis write after a job; when Redis refuses it, the job stays in progress and runs again at the next start. */
  private async settle(what: string, text: string, write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (err) {
      this.core.logger.error(
        { err, job: text },
        `cannot ${what} a job: it stays in progress, to run again at this server's next start`,
      );
    }
  }

  private async poll(): Promise<void> {
    this.polling = (async () => {
      try {
        const moved = await this.queue.moveDue(nowSeconds());
        if (moved) this.core.logger.debug({ moved }, 'due jobs back in the queue');
        this.core.reporter.reportGauge(WorkerMetric.QueueSize, { queue: RPC_QUEUE }, await this.queue.size());
      } catch (err) {
        this.core.logger.warn({ err }, 'cannot move due jobs back to the queue');
      }
    })();
    await this.polling;
    if (!this.stopping) this.poller = setTimeout(() => void this.poll(), this.config.pollIntervalMs);
  }

  private count(status: 'ok' | 'failed'): void {
    this.core.reporter.reportCount(WorkerMetric.JobsTotal, { status }, 1);
  }

  private reportBusy(): void {
    this.core.reporter.reportGauge(WorkerMetric.BusyWorkers, this.pool, this.running.size);
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits for `promise`, at most `ms`. */
async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
