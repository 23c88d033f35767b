import { ErrorCode, errorMessage, PitayaError } from '@pitaya-ts/core';
import type { Core } from './core-seams';
import type { GoJsonCodec } from './go-json';
import { newJid, newJobText, ROUTE } from './job';
import type { JobQueue } from './job-queue';
import type { RpcTypes } from './worker';
import type { RetryPolicy } from './worker-config';

export interface ReliableRpcOptions {
  /** Travels with the RPC, as `app.rpc`'s metadata does. */
  metadata?: Record<string, unknown>;
  /** protobuf types of the argument and result; the module's `types` for the route by default. */
  types?: RpcTypes;
  /** This job's retries, over `pitaya.worker.retry.*` (Pitaya's EnqueueRPCWithOptions). */
  retry?: Partial<RetryPolicy>;
}

/**
 * Pitaya's ReliableRPC: enqueues an RPC that a worker of any server sharing the Redis (pitaya-ts or
 * Go Pitaya) makes, retrying it on failure. Resolves with the job id once the job is in Redis; the
 * remote's answer is not returned, and the remote must be idempotent: a job may run more than once.
 */
export class ReliableRpc {
  constructor(
    private readonly queue: JobQueue,
    private readonly codec: GoJsonCodec,
    private readonly core: Core,
    private readonly retry: RetryPolicy,
    private readonly types: Record<string, RpcTypes>,
    private readonly redisUrl: string,
  ) {}

  async enqueue(route: string, arg: unknown, options: ReliableRpcOptions = {}): Promise<string> {
    if (!ROUTE.test(route)) {
      throw PitayaError.badRequest(`invalid route "${route}": a reliable RPC needs serverType.service.method`, {
        route,
      });
    }
    const jid = newJid();
    const text = newJobText(
      jid,
      { route, metadata: options.metadata ?? {}, arg: this.goArg(route, arg, options.types?.request) },
      { ...this.retry, ...options.retry },
    );
    try {
      await this.queue.push(text);
    } catch (err) {
      throw new PitayaError(
        ErrorCode.Unavailable,
        `reliable RPC ${route} not enqueued: Redis at ${this.redisUrl} did not take it (${errorMessage(err)})`,
        { route },
      );
    }
    return jid;
  }

  /** The argument as Pitaya writes it in a job: Go's JSON of the protobuf message, else the value itself. */
  private goArg(route: string, arg: unknown, requestType = this.types[route]?.request): unknown {
    if (!requestType) {
      if (arg instanceof Uint8Array) throw PitayaError.badRequest(`reliable RPC ${route}: bytes need types.request`);
      return arg;
    }
    try {
      const bytes = arg instanceof Uint8Array ? arg : this.core.marshal(arg, requestType);
      return this.codec.toGo(bytes, requestType);
    } catch (err) {
      throw PitayaError.badRequest(`reliable RPC ${route}: ${errorMessage(err)}`, { route });
    }
  }
}
