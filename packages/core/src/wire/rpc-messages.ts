import type { WireError } from '../errors/pitaya-error';

/** The session snapshot a Sys RPC carries (protos.Session). */
export interface RpcSession {
  id: number;
  uid: string;
  /** JSON object of the session data. */
  data: Uint8Array;
}

/** protos.MsgType */
export const RpcMsgType = { Request: 0, Notify: 1, Response: 2, Push: 3 } as const;
export type RpcMsgType = (typeof RpcMsgType)[keyof typeof RpcMsgType];

/** protos.RPCType */
export const RpcType = { Sys: 0, User: 1 } as const;
export type RpcType = (typeof RpcType)[keyof typeof RpcType];

/** protos.Request, as the RPC layer passes it around. */
export interface RpcRequest {
  type: RpcType;
  session?: RpcSession;
  msg: { id: number; route: string; data: Uint8Array; reply?: string; type: RpcMsgType };
  frontendId: string;
  /** Propagated context: Pitaya's keys (req-route, peer.id, reqTimeout...) and the application's. */
  metadata: Record<string, unknown>;
}

/** protos.Response */
export interface RpcResponse {
  data?: Uint8Array;
  error?: WireError;
}
