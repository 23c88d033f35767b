export { workerModule, reliableRpc, type WorkerModuleOptions } from './worker.module';
export { WORKER_TOKENS } from './tokens';
export { ReliableRpc, type ReliableRpcOptions } from './reliable-rpc';
export { Worker, type RpcTypes, type WorkerState } from './worker';
export type { ServerPicker } from './core-seams';
export { JobQueue, QueueKeys } from './job-queue';
export { Job, newJobText, retryDelaySeconds, goTime, type RetryOptions, type RpcJobArgs } from './job';
export { GoJsonCodec } from './go-json';
export { WorkerMetric } from './metrics';
export {
  WORKER_CONFIG_SCHEMA,
  readWorkerConfig,
  type WorkerConfig,
  type WorkerConfigKey,
  type WorkerKeySpec,
  type RetryPolicy,
} from './worker-config';
