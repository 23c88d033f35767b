import type { BindMessage, PushMessage } from '../wire/protos';
import { ErrorCode, PitayaError } from '../errors/pitaya-error';
import type { RpcRequest, RpcResponse } from '../wire/rpc-messages';
import type { ServerInfo } from './service-discovery';

/** Sends RPCs to the other servers of the cluster, and pushes, kicks and binds to users' frontends. */
export interface RpcClient {
  /**
   * Capability: whether there are other servers to call. A clustered client makes the server
   * forward other types' routes, probe unanswered servers, and announce its users' binds; a
   * standalone one (false) leaves all that out.
   */
  readonly clustered: boolean;
  /**
   * Deadline of the calls made without one, ms, when the transport has its own key for it
   * (gRPC's); otherwise `pitaya.cluster.rpc.client.nats.requesttimeout`.
   */
  readonly requestTimeoutMs?: number;
  /**
   * Capability: calls to one server reach its handler in the order they were made (one NATS
   * connection does that). Then a frontend sends a session's forwards to a server that handles
   * them in order without waiting for each answer.
   */
  readonly ordered?: boolean;
  /** Names the traces of its calls as Pitaya does (`NATS` makes `NATS RPC Call` spans). */
  readonly transport?: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves with the callee's Response; rejects with PIT-408 on timeout, PIT-500 when unreachable. */
  call(server: ServerInfo, request: RpcRequest, timeoutMs: number): Promise<RpcResponse>;
  /** A push to a user, delivered by whichever frontend of that type holds the user. */
  pushToUser(frontendType: string, push: PushMessage): Promise<void>;
  /** A kick of a user, by whichever frontend of that type holds the user. */
  kickUser(frontendType: string, uid: string): Promise<void>;
  /** Tells the other frontends of a type that a uid was bound here (unique sessions). */
  announceBind(frontendType: string, bind: BindMessage): Promise<void>;
}

/** What an RPC server hands what it receives to (the server's cluster request handler). */
export interface RpcHandler {
  handle(request: RpcRequest): Promise<RpcResponse>;
  /** A push for a uid bound on this frontend. */
  pushToUser(push: PushMessage): void;
  /** A kick for a uid bound on this frontend. */
  kickUser(uid: string): void;
  /** Another frontend of this type bound a uid. */
  bindAnnounced(bind: BindMessage): void;
}

/** Receives RPCs from other servers; on frontends, also the pushes, kicks and binds for its users. */
export interface RpcServer {
  start(handler: RpcHandler): Promise<void>;
  /**
   * Stops taking RPCs and answers every RPC already received: waits up to `timeoutMs` for their
   * handlers, answers the rest with an error, then closes.
   */
  stop(timeoutMs?: number): Promise<void>;
  /**
   * Frontends: start receiving the pushes and kicks of a uid bound here. Counted: the subscription
   * lasts until each subscribeUser of the uid is undone by an unsubscribeUser (a user who logs in
   * again on this frontend holds it before the old session has finished closing).
   */
  subscribeUser(uid: string): Promise<void>;
  unsubscribeUser(uid: string): Promise<void>;
}

/** Standalone: there is no other server to call. */
export class StandaloneRpcClient implements RpcClient {
  readonly clustered = false;

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  async call(server: ServerInfo): Promise<RpcResponse> {
    throw new PitayaError(ErrorCode.Internal, `no RPC in standalone mode (server ${server.id})`);
  }

  async pushToUser(): Promise<void> {
    throw new PitayaError(ErrorCode.Internal, 'no other frontend in standalone mode');
  }

  async kickUser(): Promise<void> {
    throw new PitayaError(ErrorCode.Internal, 'no other frontend in standalone mode');
  }

  async announceBind(): Promise<void> {}
}

export class StandaloneRpcServer implements RpcServer {
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async subscribeUser(): Promise<void> {}
  async unsubscribeUser(): Promise<void> {}
}
