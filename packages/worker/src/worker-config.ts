import * as os from 'node:os';
import {
  CONFIG_SCHEMA,
  ConfigError,
  InvalidValue,
  type ConfigKey,
  type ConfigValue,
  type KeySpec,
} from '@pitaya-ts/core';

/** The `pitaya.worker.*` keys, declared in core's schema with Pitaya's others. */
export type WorkerConfigKey = Extract<ConfigKey, `pitaya.worker.${string}`>;

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
 * The worker's configuration: a key given to `workerModule({ config })` wins over the server's
 * configuration (file, code, `PITAYA_*` env), checked by the same specs.
 */
export function readWorkerConfig(
  fromCore: <K extends WorkerConfigKey>(key: K) => ConfigValue<K>,
  overrides: Partial<Record<WorkerConfigKey, unknown>> = {},
): WorkerConfig {
  const unknown = Object.keys(overrides).filter((key) => !key.startsWith('pitaya.worker.') || !(key in CONFIG_SCHEMA));
  if (unknown.length) throw new ConfigError(`workerModule: unknown keys ${unknown.join(', ')}`);
  const get = <K extends WorkerConfigKey>(key: K): ConfigValue<K> => {
    if (!(key in overrides)) return fromCore(key);
    const parsed = (CONFIG_SCHEMA[key] as KeySpec<unknown>).parse(overrides[key]);
    if (parsed instanceof InvalidValue) throw new ConfigError(`workerModule: ${key}: ${parsed.reason}`);
    return parsed as ConfigValue<K>;
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
