import * as os from 'node:os';
import { CONFIG_SCHEMA, ConfigError } from '@pitaya-ts/core';
import { readWorkerConfig, WORKER_CONFIG_SCHEMA } from '@pitaya-ts/worker';

describe('pitaya.worker.* configuration', () => {
  const none = () => undefined;

  it("has Pitaya's keys with their defaults, and the hostname as process id", () => {
    expect(readWorkerConfig(none)).toEqual({
      redis: { url: 'localhost:6379', pool: 10, password: '' },
      concurrency: 10,
      namespace: '',
      processId: os.hostname(),
      retry: { enabled: true, max: 5, exponential: 5, minDelay: 10, maxDelay: 10, maxRandom: 10 },
      pollIntervalMs: 15_000,
      deadMax: 10_000,
    });
  });

  it("reads core's value of a key core has, and workerModule's values over it", () => {
    const core = { 'pitaya.worker.concurrency': 4, 'pitaya.worker.namespace': 'blue' } as Record<string, unknown>;
    const config = readWorkerConfig((key) => core[key], {
      'pitaya.worker.namespace': 'green',
      'pitaya.worker.poll.interval': '250ms',
      'pitaya.worker.retry.enabled': 'false',
    });
    expect(config).toMatchObject({
      concurrency: 4,
      namespace: 'green',
      pollIntervalMs: 250,
      retry: { enabled: false },
    });
  });

  it('refuses unknown keys and bad values, naming them', () => {
    expect(() => readWorkerConfig(none, { 'pitaya.worker.concurency': 2 } as never)).toThrow(
      new ConfigError('workerModule: unknown keys pitaya.worker.concurency'),
    );
    expect(() => readWorkerConfig(none, { 'pitaya.worker.concurrency': 0 })).toThrow(
      'workerModule: pitaya.worker.concurrency: expected an integer >= 1, got 0',
    );
    expect(() => readWorkerConfig(none, { 'pitaya.worker.poll.interval': 'soon' })).toThrow(
      /poll.interval: expected a duration/,
    );
  });

  it("agrees with core's schema on every key core declares too", () => {
    for (const [key, spec] of Object.entries(WORKER_CONFIG_SCHEMA)) {
      const coreSpec = (CONFIG_SCHEMA as Record<string, { default: unknown; kind: string }>)[key];
      if (coreSpec) expect([key, coreSpec.kind, coreSpec.default]).toEqual([key, spec.kind, spec.default]);
    }
  });
});
