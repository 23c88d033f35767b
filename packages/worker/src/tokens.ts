import type { ServiceIdentifier } from 'inversify';
import type { Core } from './core-seams';
import type { GoJsonCodec } from './go-json';
import type { JobQueue } from './job-queue';
import type { ReliableRpc } from './reliable-rpc';
import type { Worker } from './worker';
import type { WorkerConfig } from './worker-config';

// Symbol.for: two copies of the package still agree on every token.
const token = <T>(name: string): ServiceIdentifier<T> => Symbol.for(`@pitaya-ts/worker/${name}`);

/** The worker package's services, bound by `workerModule()`. */
export const WORKER_TOKENS = {
  /** `pitaya.worker.*`, read once. */
  Config: token<WorkerConfig>('Config'),
  /** Enqueues reliable RPCs: `container.get(WORKER_TOKENS.ReliableRpc).enqueue(route, arg)`. */
  ReliableRpc: token<ReliableRpc>('ReliableRpc'),
  /** Runs the jobs, on servers that do (`runJobs`). */
  Worker: token<Worker>('Worker'),
  /** The queue in Redis. */
  JobQueue: token<JobQueue>('JobQueue'),
} as const;

/** What the package's services share, not for applications. */
export const INTERNAL_TOKENS = {
  Core: token<Core>('Core'),
  Codec: token<GoJsonCodec>('GoJsonCodec'),
} as const;
