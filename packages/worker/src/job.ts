import { randomBytes } from 'node:crypto';
import { isLosslessNumber, parse, stringify } from 'lossless-json';
import type { RetryPolicy } from './worker-config';

/** go-workers' queue of Pitaya's RPC jobs; Pitaya's job class is empty. */
export const RPC_QUEUE = 'rpc';

/**
 * What go-workers writes for an empty `connection_options` (an empty struct survives omitempty);
 * go-workers ignores it when reading.
 */
const CONNECTION_OPTIONS = {
  Address: '',
  Password: '',
  Database: '',
  ProcessID: '',
  Namespace: '',
  PoolSize: 0,
  PoolInterval: 0,
  DialOptions: null,
};

/** Pitaya's rpcInfo: what a job asks a worker to call. */
export interface RpcJobArgs {
  route: string;
  metadata: Record<string, unknown>;
  /** Go's JSON of the argument (see GoJsonCodec), or any JSON value. */
  arg: unknown;
}

/** Seconds since the epoch with sub-millisecond digits, as go-workers' `enqueued_at`. */
export function nowSeconds(): number {
  return (performance.timeOrigin + performance.now()) / 1000;
}

/** go-workers' jid: 12 random bytes in hex. */
export function newJid(): string {
  return randomBytes(12).toString('hex');
}

/** JSON text of a value that has one (undefined and functions have none). */
export function jsonText(value: unknown): string {
  const text = stringify(value);
  if (text === undefined) throw new TypeError(`${typeof value} has no JSON form`);
  return text;
}

/**
 * Go's encoding/json escapes <, >, & and the JavaScript line separators in strings; only strings
 * can hold them in JSON text, so replacing them anywhere is exact.
 */
function goJson(value: unknown): string {
  return jsonText(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The keys of every object sorted, as Go writes a map[string]interface{}. */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object' || isLosslessNumber(value)) return value;
  const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([k, v]) => [k, sortedKeys(v)]));
}

/**
 * A new job as Pitaya's EnqueueRPC writes it (key order as Go's structs declare them; Metadata,
 * a Go map, with sorted keys; zero `retry` and `retry_max` left out, as omitempty does).
 */
export function newJobText(jid: string, rpc: RpcJobArgs, retry: RetryPolicy, enqueuedAt = nowSeconds()): string {
  return goJson({
    queue: RPC_QUEUE,
    class: '',
    args: { Route: rpc.route, Metadata: sortedKeys(rpc.metadata), Arg: rpc.arg, Reply: {} },
    jid,
    enqueued_at: enqueuedAt,
    ...(retry.enabled ? { retry: true } : {}),
    ...(retry.max ? { retry_max: retry.max } : {}),
    retry_options: {
      exp: retry.exponential,
      min_delay: retry.minDelay,
      max_delay: retry.maxDelay,
      max_rand: retry.maxRandom,
    },
    connection_options: CONNECTION_OPTIONS,
  });
}

/** go-workers' time layout, `2006-01-02 15:04:05 UTC`. */
export function goTime(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** An integer JSON number's value, as go-workers' simplejson `Int()` reads it; undefined otherwise. */
function intOf(value: unknown): number | undefined {
  return isLosslessNumber(value) && /^-?\d+$/.test(value.value) ? Number(value.value) : undefined;
}

export const ROUTE = /^[^.]+\.[^.]+\.[^.]+$/;

/** go-workers' retry count when none is set: Sidekiq's. */
const DEFAULT_MAX_RETRY = 25;

/**
 * A job fetched from Redis: its text exactly as fetched (what acknowledges it) and its fields,
 * numbers kept as written, so that what is written back differs only where go-workers changes it.
 */
export class Job {
  private constructor(
    readonly text: string,
    private readonly fields: Record<string, unknown>,
  ) {}

  /** Throws when the text is not a JSON object. */
  static parse(text: string): Job {
    const fields = parse(text);
    if (fields === null || typeof fields !== 'object' || Array.isArray(fields) || isLosslessNumber(fields)) {
      throw new Error('a job must be a JSON object');
    }
    return new Job(text, fields as Record<string, unknown>);
  }

  get jid(): string {
    return typeof this.fields.jid === 'string' ? this.fields.jid : '';
  }

  /** Pitaya's rpcInfo; throws when the job has none. */
  rpc(): RpcJobArgs {
    const args = this.fields.args as Record<string, unknown> | null | undefined;
    if (!args || typeof args !== 'object' || typeof args.Route !== 'string') {
      throw new Error('the job has no args.Route: not a Pitaya RPC job');
    }
    if (!ROUTE.test(args.Route)) throw new Error(`invalid route "${args.Route}": expected serverType.service.method`);
    const metadata = args.Metadata ?? {};
    if (typeof metadata !== 'object' || Array.isArray(metadata))
      throw new Error("the job's args.Metadata is not an object");
    return { route: args.Route, metadata: metadata as Record<string, unknown>, arg: args.Arg ?? null };
  }

  /** go-workers' retry(): `retry` true (or a number: the max) and fewer retries than the max so far. */
  retryable(): boolean {
    const { retry, retry_max, retry_count } = this.fields;
    let max = typeof retry === 'boolean' ? DEFAULT_MAX_RETRY : (intOf(retry) ?? DEFAULT_MAX_RETRY);
    const enabled = retry === true || intOf(retry) !== undefined;
    max = intOf(retry_max) ?? max;
    return enabled && (intOf(retry_count) ?? 0) < max;
  }

  /**
   * The job after a failure, as go-workers' retry middleware rewrites it: `queue` (namespaced),
   * `error_message`, `retry_count` (0 at the first failure, then one more each time), `failed_at`
   * the first time and `retried_at` after; every object's keys sorted.
   */
  failed(error: string, queue: string, now: Date): { text: string; retryCount: number; backoff: RetryOptions } {
    const count = intOf(this.fields.retry_count);
    const retryCount = count === undefined ? 0 : count + 1;
    const fields = {
      ...this.fields,
      queue,
      error_message: error,
      [count === undefined ? 'failed_at' : 'retried_at']: goTime(now),
      retry_count: retryCount,
    };
    return { text: goJson(sortedKeys(fields)), retryCount, backoff: this.retryOptions() };
  }

  private retryOptions(): RetryOptions {
    const options = (this.fields.retry_options ?? {}) as Record<string, unknown>;
    return {
      exp: intOf(options.exp) ?? 0,
      minDelay: intOf(options.min_delay) ?? 0,
      maxDelay: intOf(options.max_delay) ?? 0,
      maxRand: intOf(options.max_rand) ?? 0,
    };
  }
}

/** Moved back to its queue by the poller: with a fresh `enqueued_at`, keys sorted as go-workers writes it. */
export function requeuedText(text: string): { text: string; queue: string } {
  const fields = parse(text) as Record<string, unknown>;
  const queue = typeof fields.queue === 'string' ? fields.queue : RPC_QUEUE;
  return { text: goJson(sortedKeys({ ...fields, enqueued_at: nowSeconds() })), queue };
}

/** A job's backoff, as its `retry_options` hold it. */
export interface RetryOptions {
  exp: number;
  minDelay: number;
  maxDelay: number;
  maxRand: number;
}

/**
 * go-workers' secondsToDelay: `min(count^exp + minDelay + rand(0..maxRand-1)*(count+1), maxDelay)`,
 * whole seconds.
 */
export function retryDelaySeconds(count: number, options: RetryOptions, random = Math.random): number {
  const rand = options.maxRand > 0 ? Math.floor(random() * options.maxRand) : 0;
  return Math.trunc(Math.min(count ** options.exp + options.minDelay + rand * (count + 1), options.maxDelay));
}
