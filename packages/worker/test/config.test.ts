import * as os from 'node:os';
import { ConfigError, loadConfig } from '@pitaya-ts/core';
import { readWorkerConfig, type WorkerConfigKey } from '@pitaya-ts/worker';

describe('pitaya.worker.* configuration', () => {
  // the server's configuration, with its defaults unless given
  const server = (values: Record<string, unknown> = {}) => {
    const config = loadConfig({ values, env: {} });
    return <K extends WorkerConfigKey>(key: K) => config.get(key);
  };
  const none = server();

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
    const core = server({ 'pitaya.worker.concurrency': 4, 'pitaya.worker.namespace': 'blue' });
    const config = readWorkerConfig(core, {
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
});
