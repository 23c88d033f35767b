import 'reflect-metadata';
import * as path from 'node:path';
import { ContainerModule } from 'inversify';
import { Redis } from 'ioredis';
import {
  bootstrap,
  Proto,
  Remote,
  TOKENS,
  type HandlerContext,
  type Labels,
  type MetricsReporter,
  type PitayaApp,
} from '@pitaya-ts/core';
import type { RedisServer } from '@pitaya-ts/testing';
import { workerModule, WORKER_TOKENS, type JobQueue, type WorkerModuleOptions } from '@pitaya-ts/worker';

export { waitFor } from '@pitaya-ts/testing';

export const PROTO = path.join(__dirname, 'fixtures', 'jobs.proto');
export const GRANT = 'wt.jobs.grant';
export const ECHO = 'wt.jobs.echo';
export const GRANT_TYPES = { request: 'wtest.Grant', response: 'wtest.Ack' };

export interface Call {
  route: string;
  arg: unknown;
  metadata: Record<string, unknown>;
}

/** What the test remotes were called with, and what they do: each test sets `behave`. */
export const remote = {
  calls: [] as Call[],
  running: 0,
  maxRunning: 0,
  behave: async (_call: Call): Promise<void> => undefined,
  reset(): void {
    this.calls = [];
    this.running = 0;
    this.maxRunning = 0;
    this.behave = async () => undefined;
  },
};

async function record(route: string, arg: unknown, metadata: Record<string, unknown>): Promise<void> {
  const call = { route, arg, metadata };
  remote.calls.push(call);
  remote.running++;
  remote.maxRunning = Math.max(remote.maxRunning, remote.running);
  try {
    await remote.behave(call);
  } finally {
    remote.running--;
  }
}

/** `wt.jobs.*`: idempotent remotes, as reliable RPC needs them. */
@Remote('jobs')
export class JobsRemote {
  @Proto(GRANT_TYPES.request, GRANT_TYPES.response)
  async grant(arg: unknown, { metadata }: HandlerContext): Promise<{ ok: boolean }> {
    await record(GRANT, arg, metadata);
    return { ok: true };
  }

  /** JSON argument: no protobuf type. */
  async echo(arg: unknown, { metadata }: HandlerContext): Promise<{ ok: boolean }> {
    await record(ECHO, arg, metadata);
    return { ok: true };
  }
}

/** Every metric reported, in order. */
export class RecordingReporter implements MetricsReporter {
  readonly reports: { kind: string; metric: string; labels: Labels; value: number }[] = [];
  reportCount(metric: string, labels: Labels, value: number): void {
    this.reports.push({ kind: 'count', metric, labels, value });
  }
  reportGauge(metric: string, labels: Labels, value: number): void {
    this.reports.push({ kind: 'gauge', metric, labels, value });
  }
  reportSummary(): void {}
  reportHistogram(): void {}

  gauges(metric: string): number[] {
    return this.reports.filter((r) => r.metric === metric).map((r) => r.value);
  }
  count(metric: string, labels: Labels = {}): number {
    return this.reports
      .filter((r) => r.metric === metric && Object.entries(labels).every(([k, v]) => r.labels[k] === v))
      .reduce((sum, r) => sum + r.value, 0);
  }
}

let namespaces = 0;
/** A namespace of its own for each test: tests share one Redis. */
export function freshNamespace(): string {
  return `t${process.pid}-${++namespaces}`;
}

export interface WorkerServerOptions extends WorkerModuleOptions {
  redis: RedisServer;
  namespace: string;
  reporter?: MetricsReporter;
  /** `pitaya.*` core keys */
  core?: Record<string, unknown>;
}

/** A standalone server with the `wt.jobs.*` remotes and the worker on the test Redis, started. */
export async function startWorkerServer(options: WorkerServerOptions): Promise<PitayaApp> {
  const { redis, namespace, reporter, core, config, ...rest } = options;
  const providers = [
    workerModule({
      ...rest,
      types: rest.types ?? { [GRANT]: GRANT_TYPES },
      config: {
        'pitaya.worker.redis.url': `127.0.0.1:${redis.port}`,
        'pitaya.worker.namespace': namespace,
        'pitaya.worker.processid': `${namespace}-host`,
        'pitaya.worker.redis.pool': 2,
        ...config,
      },
    }),
  ];
  if (reporter) {
    providers.push(new ContainerModule(({ rebind }) => void rebind(TOKENS.MetricsReporter).toConstantValue(reporter)));
  }
  const app = await bootstrap({
    serverType: 'wt',
    remotes: [JobsRemote],
    providers,
    config: { 'pitaya.log.level': 'silent', 'pitaya.serializer.protobuf.files': [PROTO], ...core },
    handleSignals: false,
    env: {},
  });
  await app.start();
  return app;
}

export function queueOf(app: PitayaApp): JobQueue {
  return app.container.get(WORKER_TOKENS.JobQueue);
}

/** A plain client of the test Redis, to look at the keys. */
export function inspect(redis: RedisServer): Redis {
  return new Redis(redis.port, '127.0.0.1', { maxRetriesPerRequest: 1 });
}
