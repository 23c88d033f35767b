import { Redis, type ChainableCommander } from 'ioredis';
import type { Logger } from '@pitaya-ts/core';
import { RPC_QUEUE, requeuedText } from './job';
import type { WorkerConfig } from './worker-config';

/** go-workers' keys: the namespace (`<namespace>:` when set) before each. */
export class QueueKeys {
  readonly ns: string;
  readonly queues: string;
  readonly queue: string;
  readonly inProgress: string;
  readonly retry: string;
  readonly schedule: string;
  /** Jobs whose last retry failed (pitaya-ts: go-workers drops them). */
  readonly dead: string;
  /** The namespaced queue name a retry entry holds in `queue`. */
  readonly queueName: string;

  constructor(namespace: string, processId: string) {
    this.ns = namespace ? `${namespace}:` : '';
    this.queues = `${this.ns}queues`;
    this.queue = `${this.ns}queue:${RPC_QUEUE}`;
    this.inProgress = `${this.queue}:${processId}:inprogress`;
    this.retry = `${this.ns}goretry`;
    this.schedule = `${this.ns}schedule`;
    this.dead = `${this.ns}dead`;
    this.queueName = `${this.ns}${RPC_QUEUE}`;
  }
}

/** go-workers waits this long on an empty queue before asking again (and before a stop is seen). */
export const FETCH_TIMEOUT_S = 1;

// a due entry moves only if this call removed it, and never exists in neither place
const MOVE_DUE = `
if redis.call('zrem', KEYS[1], ARGV[1]) == 1 then
  redis.call('lpush', KEYS[2], ARGV[2])
  return 1
end
return 0`;

function connect(config: WorkerConfig, options: { blocking: boolean }): Redis {
  const url = /^rediss?:\/\//.test(config.redis.url) ? config.redis.url : `redis://${config.redis.url}`;
  return new Redis(url, {
    password: config.redis.password || undefined,
    // a command made while Redis is away fails after one reconnection attempt: an enqueue then says
    // so at once; the blocking fetch waits for Redis instead, as it has nothing else to do
    maxRetriesPerRequest: options.blocking ? null : 1,
    retryStrategy: (times) => Math.min(times * 100, 1000),
    lazyConnect: true,
  });
}

/**
 * The RPC queue in Redis, in go-workers' layout: enqueue, fetch into this server's in-progress
 * list, acknowledge, retry, bury, move due jobs back. Commands spread over `pitaya.worker.redis.pool`
 * connections; fetching blocks its own.
 */
export class JobQueue {
  readonly keys: QueueKeys;
  private readonly pool: Redis[];
  private next = 0;
  private blocking: Redis | undefined;

  /** Whether a connection lost Redis since one was last ready: an outage is logged once. */
  private down = false;

  constructor(
    private readonly config: WorkerConfig,
    private readonly logger: Logger,
  ) {
    this.keys = new QueueKeys(config.namespace, config.processId);
    this.pool = Array.from({ length: config.redis.pool }, () => this.watched(connect(config, { blocking: false })));
  }

  /** ioredis reconnects by itself; its errors are logged here, once an outage. */
  private watched(redis: Redis): Redis {
    redis.on('error', (err: Error) => {
      if (this.down) return;
      this.down = true;
      this.logger.warn({ err, redis: this.config.redis.url }, 'lost Redis: reconnecting');
    });
    redis.on('ready', () => {
      if (!this.down) return;
      this.down = false;
      this.logger.info({ redis: this.config.redis.url }, 'Redis is back');
    });
    return redis;
  }

  private redis(): Redis {
    this.next = (this.next + 1) % this.pool.length;
    const redis = this.pool[this.next];
    if (!redis) throw new Error('the job queue has no Redis connection');
    return redis;
  }

  async push(text: string): Promise<void> {
    await exec(this.redis().multi().sadd(this.keys.queues, RPC_QUEUE).lpush(this.keys.queue, text));
  }

  /**
   * The next job, moved to the in-progress list as it is taken; null when none came within
   * FETCH_TIMEOUT_S. Waits through Redis outages.
   */
  async fetch(): Promise<string | null> {
    this.blocking ??= this.watched(connect(this.config, { blocking: true }));
    return this.blocking.brpoplpush(this.keys.queue, this.keys.inProgress, FETCH_TIMEOUT_S);
  }

  /** Ends a fetch waiting for Redis to come back; one sent to Redis comes back first. */
  stopFetching(): void {
    this.blocking?.disconnect();
    this.blocking = undefined;
  }

  /** What this server's in-progress list holds: jobs a stop or a crash left unfinished. */
  inProgress(): Promise<string[]> {
    return this.redis().lrange(this.keys.inProgress, 0, -1);
  }

  async acknowledge(job: string): Promise<void> {
    await this.redis().lrem(this.keys.inProgress, -1, job);
  }

  /** Schedules a retry and acknowledges the failed run, at once. */
  async retry(job: string, retryText: string, atSeconds: number): Promise<void> {
    await exec(this.redis().multi().zadd(this.keys.retry, atSeconds, retryText).lrem(this.keys.inProgress, -1, job));
  }

  /** Keeps a job that will not be retried for operators to see, and acknowledges it. */
  async bury(job: string, deadText: string, atSeconds: number): Promise<void> {
    await exec(
      this.redis()
        .multi()
        .zadd(this.keys.dead, atSeconds, deadText)
        .zremrangebyrank(this.keys.dead, 0, -(this.config.deadMax + 1))
        .lrem(this.keys.inProgress, -1, job),
    );
  }

  /** Puts a job back at the head of its queue (it runs next), off the in-progress list. */
  async giveBack(job: string): Promise<void> {
    await exec(this.redis().multi().rpush(this.keys.queue, job).lrem(this.keys.inProgress, -1, job));
  }

  /**
   * Moves the retries and scheduled jobs due by `nowSeconds` back to their queue, one at a time as
   * go-workers does; resolves with how many moved.
   */
  async moveDue(nowSeconds: number): Promise<number> {
    let moved = 0;
    for (const key of [this.keys.retry, this.keys.schedule]) {
      for (;;) {
        const [due] = await this.redis().zrangebyscore(key, '-inf', nowSeconds, 'LIMIT', 0, 1);
        if (due === undefined) break;
        let requeued: { text: string; queue: string };
        try {
          requeued = requeuedText(due);
        } catch {
          // not JSON: it would block the poller for ever; operators find it with the dead jobs
          await exec(this.redis().multi().zrem(key, due).zadd(this.keys.dead, nowSeconds, due));
          continue;
        }
        // a retry entry names its queue with the namespace
        const { text, queue } = requeued;
        const name = queue.startsWith(this.keys.ns) ? queue.slice(this.keys.ns.length) : queue;
        moved += Number(await this.redis().eval(MOVE_DUE, 2, key, `${this.keys.ns}queue:${name}`, due, text));
      }
    }
    return moved;
  }

  size(): Promise<number> {
    return this.redis().llen(this.keys.queue);
  }

  async close(): Promise<void> {
    this.stopFetching();
    // a connection never used has nothing to finish: quitting it would connect it first
    await Promise.all(
      this.pool.map(async (redis) => {
        if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
        else redis.disconnect();
      }),
    );
  }
}

/** Runs a MULTI; rejects when any of its commands failed. */
async function exec(multi: ChainableCommander): Promise<void> {
  const results = await multi.exec();
  const failed = results?.find(([err]) => err)?.[0];
  if (failed) throw failed;
}
