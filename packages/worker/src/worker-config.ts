import * as os from 'node:os';
import { ConfigError, parseDuration } from '@pitaya-ts/core';

/**
 * One `pitaya.worker.*` key: kind, default and doc, as core's schema declares its own keys, so
 * that core can take these specs as application keys (`bootstrap({ configSchema })`).
 */
export interface WorkerKeySpec<T> {
  kind: 'duration' | 'int' | 'bool' | 'string';
  default: T;
  doc: string;
  /** The value, or a string saying why the input is not one. */
  parse(input: unknown): T | { invalid: string };
}

function int(def: number, doc: string, min = 0): WorkerKeySpec<number> {
  return {
    kind: 'int',
    default: def,
    doc,
    parse: (v) => {
      const n = typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v;
      return typeof n === 'number' && Number.isInteger(n) && n >= min
        ? n
        : { invalid: `expected an integer >= ${min}, got ${JSON.stringify(v)}` };
    },
  };
}

function bool(def: boolean, doc: string): WorkerKeySpec<boolean> {
  return {
    kind: 'bool',
    default: def,
    doc,
    parse: (v) => {
      if (typeof v === 'boolean') return v;
      if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v as string)) return true;
      if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v as string)) return false;
      return { invalid: `expected true or false, got ${JSON.stringify(v)}` };
    },
  };
}

function string(def: string, doc: string): WorkerKeySpec<string> {
  return {
    kind: 'string',
    default: def,
    doc,
    parse: (v) => (typeof v === 'string' ? v : { invalid: `expected a string, got ${JSON.stringify(v)}` }),
  };
}

function duration(def: string, doc: string): WorkerKeySpec<number> {
  return {
    kind: 'duration',
    default: parseDuration(def)!,
    doc,
    parse: (v) => {
      const ms = typeof v === 'string' || typeof v === 'number' ? parseDuration(v) : undefined;
      return ms ?? { invalid: `expected a duration such as "500ms", "5s" or "1m", got ${JSON.stringify(v)}` };
    },
  };
}

/** Every key the worker reads: Pitaya's worker keys with the defaults core had, plus this package's (pitaya-ts). */
export const WORKER_CONFIG_SCHEMA = {
  'pitaya.worker.redis.url': string(
    'localhost:6379',
    'Redis of the reliable-RPC job queue: `host:port` or a `redis://` URL',
  ),
  'pitaya.worker.redis.pool': int(
    10,
    'Redis connections for commands (enqueue, acknowledge, retry); fetching uses one more',
    1,
  ),
  'pitaya.worker.redis.password': string('', 'Redis password'),
  'pitaya.worker.concurrency': int(10, 'Jobs this server runs at once', 1),
  'pitaya.worker.namespace': string('', 'Prefix of every key, followed by `:` (blue/green stacks share a Redis apart)'),
  'pitaya.worker.processid': string(
    '',
    "Name of this server's in-progress list, re-run at its next start; the hostname when empty, so unique per host (pitaya-ts)",
  ),
  'pitaya.worker.retry.enabled': bool(true, 'Retry failed jobs'),
  'pitaya.worker.retry.max': int(5, 'Retries of a job (go-workers runs a job at most max + 2 times)'),
  'pitaya.worker.retry.exponential': int(
    5,
    'Backoff exponent: min(count^exp + mindelay + rand(maxrandom)*(count+1), maxdelay) seconds',
  ),
  'pitaya.worker.retry.mindelay': int(10, 'Backoff: smallest delay, seconds'),
  'pitaya.worker.retry.maxdelay': int(10, 'Backoff: largest delay, seconds'),
  'pitaya.worker.retry.maxrandom': int(10, 'Backoff: random part, seconds'),
  'pitaya.worker.poll.interval': duration(
    '15s',
    "How often due retries and scheduled jobs go back to their queue, and the queue's size is sampled (pitaya-ts)",
  ),
  'pitaya.worker.dead.max': int(
    10_000,
    'Jobs kept in `<namespace>dead` after their last retry failed, newest first; older ones are dropped (pitaya-ts)',
  ),
} as const;

export type WorkerConfigKey = keyof typeof WORKER_CONFIG_SCHEMA;

/** How a failed job is retried: Pitaya's EnqueueOpts. */
export interface RetryPolicy {
  enabled: boolean;
  max: number;
  exponential: number;
  /** seconds */
  minDelay: number;
  maxDelay: number;
  maxRandom: number;
}

export interface WorkerConfig {
  redis: { url: string; pool: number; password: string };
  concurrency: number;
  namespace: string;
  processId: string;
  retry: RetryPolicy;
  pollIntervalMs: number;
  deadMax: number;
}

/**
 * The worker's configuration: a key given to `workerModule({ config })` wins, then core's
 * configuration when core has the key (file, code, `PITAYA_*` env), then the default.
 */
export function readWorkerConfig(
  fromCore: (key: string) => unknown,
  overrides: Partial<Record<WorkerConfigKey, unknown>> = {},
): WorkerConfig {
  const unknown = Object.keys(overrides).filter((key) => !(key in WORKER_CONFIG_SCHEMA));
  if (unknown.length) throw new ConfigError(`workerModule: unknown keys ${unknown.join(', ')}`);
  const get = <K extends WorkerConfigKey>(key: K): (typeof WORKER_CONFIG_SCHEMA)[K]['default'] => {
    const spec = WORKER_CONFIG_SCHEMA[key] as WorkerKeySpec<unknown>;
    if (key in overrides) {
      const parsed = spec.parse(overrides[key]);
      if (parsed && typeof parsed === 'object' && 'invalid' in parsed)
        throw new ConfigError(`workerModule: ${key}: ${parsed.invalid}`);
      return parsed as never;
    }
    return (fromCore(key) ?? spec.default) as never;
  };
  return {
    redis: {
      url: get('pitaya.worker.redis.url'),
      pool: get('pitaya.worker.redis.pool'),
      password: get('pitaya.worker.redis.password'),
    },
    concurrency: get('pitaya.worker.concurrency'),
    namespace: get('pitaya.worker.namespace'),
    processId: get('pitaya.worker.processid') || os.hostname(),
    retry: {
      enabled: get('pitaya.worker.retry.enabled'),
      max: get('pitaya.worker.retry.max'),
      exponential: get('pitaya.worker.retry.exponential'),
      minDelay: get('pitaya.worker.retry.mindelay'),
      maxDelay: get('pitaya.worker.retry.maxdelay'),
      maxRandom: get('pitaya.worker.retry.maxrandom'),
    },
    pollIntervalMs: get('pitaya.worker.poll.interval'),
    deadMax: get('pitaya.worker.dead.max'),
  };
}
