import { ContainerModule } from 'inversify';
import type { PitayaApp } from '@pitaya-ts/core';
import { addModule, core, type ServerPicker } from './core-seams';
import { GoJsonCodec } from './go-json';
import { JobQueue } from './job-queue';
import { ReliableRpc, type ReliableRpcOptions } from './reliable-rpc';
import { INTERNAL_TOKENS, WORKER_TOKENS } from './tokens';
import { Worker, type RpcTypes } from './worker';
import { readWorkerConfig, type WorkerConfigKey } from './worker-config';

export interface WorkerModuleOptions {
  /** `pitaya.worker.*` values; they win over core's configuration. */
  config?: Partial<Record<WorkerConfigKey, unknown>>;
  /**
   * protobuf types of each route's argument (Pitaya's GetArgReply), from
   * `pitaya.serializer.protobuf.files`; a route without one travels as JSON.
   */
  types?: Record<string, RpcTypes>;
  /** Pitaya's ServerDiscovery: picks the server of a job; the router picks when it returns undefined. */
  pickServer?: ServerPicker;
  /** Run jobs on this server (default true); false: this server only enqueues. */
  runJobs?: boolean;
}

/**
 * Reliable RPC on Redis, in the layout of Pitaya's workers: `bootstrap({ providers: [workerModule()] })`.
 * Enqueue with `reliableRpc(app, route, arg)`; jobs run on every server with `runJobs` (the default).
 */
export function workerModule(options: WorkerModuleOptions = {}): ContainerModule {
  const types = options.types ?? {};
  return new ContainerModule((load) => {
    load.bind(INTERNAL_TOKENS.Core).toDynamicValue((ctx) => core(ctx));
    load
      .bind(WORKER_TOKENS.Config)
      .toDynamicValue((ctx) => readWorkerConfig(ctx.get(INTERNAL_TOKENS.Core).setting, options.config));
    load.bind(INTERNAL_TOKENS.Codec).toDynamicValue((ctx) => new GoJsonCodec(ctx.get(INTERNAL_TOKENS.Core).protoFiles));
    load
      .bind(WORKER_TOKENS.JobQueue)
      .toDynamicValue((ctx) => new JobQueue(ctx.get(WORKER_TOKENS.Config), ctx.get(INTERNAL_TOKENS.Core).logger));
    load.bind(WORKER_TOKENS.ReliableRpc).toDynamicValue((ctx) => {
      const config = ctx.get(WORKER_TOKENS.Config);
      return new ReliableRpc(
        ctx.get(WORKER_TOKENS.JobQueue),
        ctx.get(INTERNAL_TOKENS.Codec),
        ctx.get(INTERNAL_TOKENS.Core),
        config.retry,
        types,
        config.redis.url,
      );
    });
    load
      .bind(WORKER_TOKENS.Worker)
      .toDynamicValue(
        (ctx) =>
          new Worker(
            ctx.get(WORKER_TOKENS.JobQueue),
            ctx.get(INTERNAL_TOKENS.Codec),
            ctx.get(INTERNAL_TOKENS.Core),
            ctx.get(WORKER_TOKENS.Config),
            types,
            options.pickServer,
          ),
      );
    addModule(load, (ctx) => {
      const queue = ctx.get(WORKER_TOKENS.JobQueue);
      const worker = ctx.get(WORKER_TOKENS.Worker);
      return {
        name: 'worker',
        // once the cluster is up: jobs make RPCs
        afterInit: () => {
          if (options.runJobs ?? true) worker.start();
        },
        // while the server is still in the cluster: running jobs finish their RPCs
        beforeShutdown: () => worker.stop(),
        shutdown: () => queue.close(),
      };
    });
  });
}

/** Pitaya's `app.ReliableRPC`: enqueues the RPC and resolves with the job id (see ReliableRpc). */
export function reliableRpc(
  app: Pick<PitayaApp, 'container'>,
  route: string,
  arg: unknown,
  options?: ReliableRpcOptions,
): Promise<string> {
  return app.container.get(WORKER_TOKENS.ReliableRpc).enqueue(route, arg, options);
}
