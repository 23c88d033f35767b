import { ErrorCode, PitayaError } from '../errors/pitaya-error';
import type { RpcRequest, RpcResponse } from './rpc-messages';
import type { ServerInfo } from './service-discovery';

/** Sends RPCs to other servers of the cluster. */
export interface RpcClient {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves with the callee's Response; rejects with PIT-408 on timeout. */
  call(server: ServerInfo, request: RpcRequest, timeoutMs: number): Promise<RpcResponse>;
}

/** Receives RPCs from other servers and hands them to the local handlers and remotes. */
export interface RpcServer {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Standalone: there is no other server to call. */
export class StandaloneRpcClient implements RpcClient {
  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  async call(server: ServerInfo): Promise<RpcResponse> {
    throw new PitayaError(ErrorCode.Internal, `no RPC in standalone mode (server ${server.id})`);
  }
}

export class StandaloneRpcServer implements RpcServer {
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
}
