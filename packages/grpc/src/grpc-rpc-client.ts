import { Client, connectivityState, credentials, status, type ServiceError } from '@grpc/grpc-js';
import {
  ErrorCode,
  formatDuration,
  PitayaError,
  type BindingStorage,
  type Logger,
  type RpcClient,
  type ServerInfo,
  type ServiceDiscovery,
} from '@pitaya-ts/core';
import {
  protos,
  type BindMessage,
  type PushMessage,
  type RpcRequest,
  type RpcResponse,
  type UnreachableServers,
} from '@pitaya-ts/core/provider';
import { grpcAddress } from './grpc-address';
import { asBuffer, PITAYA_SERVICE } from './pitaya-service';

export interface GrpcRpcClientOptions {
  /** Longest wait for a connection before a call fails as unreachable, ms. */
  dialTimeoutMs: number;
  /** Deadline of calls made without one, and of pushes, kicks and binds, ms. */
  requestTimeoutMs: number;
  /** Connect to a server at its first call, not when discovery adds it. */
  lazy: boolean;
  /** This server's region: servers of other regions are called at their external address. */
  region: string;
  self: ServerInfo;
  discovery: ServiceDiscovery;
  /** Routing leaves out a server whose connection dropped. */
  unreachable: UnreachableServers;
  /** Where users are connected; none: pushes and kicks by uid and bind announcements fail. */
  bindings: BindingStorage | undefined;
  logger: Logger;
}

/** A connection to one server. */
interface Peer {
  address: string;
  client: Client;
}

const { Call, PushToUser, SessionBindRemote, KickUser } = PITAYA_SERVICE;

/**
 * Reconnection attempts to a server that dropped: at most a second apart (gRPC's default grows to
 * two minutes), so a server restarted on its address is called again at once. Attempts to a
 * server that is gone cost a refused connection each, until discovery drops it.
 */
const CHANNEL_OPTIONS = { 'grpc.initial_reconnect_backoff_ms': 100, 'grpc.max_reconnect_backoff_ms': 1000 };

/** How much longer than its caller gRPC lets a call run, ms. */
const DEADLINE_GRACE_MS = 1000;

const failed = (server: ServerInfo, reason: string) =>
  new PitayaError(ErrorCode.Internal, `RPC to ${server.id} failed: ${reason}`, { server: server.id });

/**
 * Pitaya's gRPC RPC client: one connection per server discovery lists (made when it is added, or
 * at its first call with `lazy`), dropped when it leaves. Calls carry their deadline to the callee.
 * A call to a server that cannot be connected to fails at once as unreachable (nobody received it);
 * one whose connection drops before the answer fails as an error (it may have been handled).
 * Pushes, kicks and bind announcements go to the frontend the binding storage names for the user.
 */
export class GrpcRpcClient implements RpcClient {
  readonly clustered = true;
  /** Traces name its calls `GRPC RPC Call`, as Pitaya's gRPC client does. */
  readonly transport = 'GRPC';
  readonly requestTimeoutMs: number;
  private readonly peers = new Map<string, Peer>();
  private stopped = false;

  constructor(private readonly options: GrpcRpcClientOptions) {
    this.requestTimeoutMs = options.requestTimeoutMs;
  }

  async start(): Promise<void> {
    const { discovery, self } = this.options;
    await this.options.bindings?.start();
    discovery.addListener({
      added: (server) => {
        if (server.id !== self.id && !this.options.lazy) this.connect(server);
      },
      updated: (server) => {
        // a new address: the next call connects there
        const peer = this.peers.get(server.id);
        if (peer && peer.address !== grpcAddress(server, this.options.region)) this.drop(server.id);
        if (server.id !== self.id && !this.options.lazy) this.connect(server);
      },
      removed: (server) => this.drop(server.id),
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const id of [...this.peers.keys()]) this.drop(id);
    await this.options.bindings?.stop();
  }

  /** The server's connection, made now if there is none. */
  private connect(server: ServerInfo): Peer | undefined {
    const existing = this.peers.get(server.id);
    if (existing) return existing;
    const address = grpcAddress(server, this.options.region);
    if (!address || this.stopped) return undefined;
    const client = new Client(address, credentials.createInsecure(), CHANNEL_OPTIONS);
    const peer = { address, client };
    this.peers.set(server.id, peer);
    if (!this.options.lazy) {
      client.waitForReady(Date.now() + this.options.dialTimeoutMs, (err) => {
        if (err && this.peers.get(server.id) === peer)
          this.options.logger.warn({ server: server.id, address, err }, 'cannot connect to the server yet');
      });
    }
    return peer;
  }

  private drop(id: string): void {
    this.peers.get(id)?.client.close();
    this.peers.delete(id);
  }

  /**
   * Resolves once the connection is up: at once when it is (the hot path), else within the dial
   * timeout; fails as soon as a connection attempt is refused.
   */
  private ready(peer: Peer, server: ServerInfo, deadline: number, go: () => void, fail: (e: Error) => void): void {
    const channel = peer.client.getChannel();
    const state = channel.getConnectivityState(true);
    if (state === connectivityState.READY) return go();
    if (state === connectivityState.TRANSIENT_FAILURE || state === connectivityState.SHUTDOWN) {
      return fail(PitayaError.unreachable(server.id));
    }
    channel.watchConnectivityState(state, deadline, (err) =>
      err ? fail(PitayaError.unreachable(server.id)) : this.ready(peer, server, deadline, go, fail),
    );
  }

  /** Makes one unary call of `protos.Pitaya` to `server`, connecting first if need be. */
  private unary<Answer>(
    server: ServerInfo,
    method: typeof Call | typeof KickUser,
    payload: Uint8Array,
    timeoutMs: number,
    onError: (err: ServiceError) => Error,
  ): Promise<Answer> {
    const peer = this.peers.get(server.id) ?? this.connect(server);
    if (!peer) {
      const reason = this.stopped ? 'the client is stopped' : 'it publishes no gRPC address (grpcHost, grpcPort)';
      return Promise.reject(failed(server, reason));
    }
    return new Promise<Answer>((resolve, reject) => {
      const send = () =>
        peer.client.makeUnaryRequest(
          method.path,
          method.requestSerialize,
          method.responseDeserialize as (bytes: Buffer) => Answer,
          asBuffer(payload),
          // the caller's own deadline gives Pitaya's PIT-408; gRPC's must not end the call first,
          // nor the callee's answer to it, which may be a PIT-408 of its own nested call
          { deadline: Date.now() + timeoutMs + DEADLINE_GRACE_MS },
          (err, answer) => {
            if (err) reject(onError(err));
            // gRPC calls back with an error or with the answer decoded: never with neither
            else if (answer === undefined) reject(failed(server, 'no answer'));
            else resolve(answer);
          },
        );
      this.ready(peer, server, Date.now() + Math.min(this.options.dialTimeoutMs, timeoutMs), send, reject);
    });
  }

  call(server: ServerInfo, request: RpcRequest, timeoutMs: number): Promise<RpcResponse> {
    return this.unary<RpcResponse>(server, Call, protos.encodeRequest(request), timeoutMs, (err) =>
      this.callFailed(err, server, request, timeoutMs),
    );
  }

  private callFailed(err: ServiceError, server: ServerInfo, request: RpcRequest, timeoutMs: number): Error {
    if (err.code === status.DEADLINE_EXCEEDED) {
      const timeout = formatDuration(timeoutMs);
      return PitayaError.timeout(`RPC to ${server.id} timed out after ${timeout}`, {
        timeout,
        route: request.msg.route,
        server: server.id,
        'peer.id': this.options.self.id,
      });
    }
    // never cancelled here: the server's end of the connection went
    if (err.code === status.UNAVAILABLE || err.code === status.CANCELLED) {
      // the connection was up when the call went: it dropped before the answer. Routing leaves the
      // server out until it is back
      this.options.unreachable.mark(server.id);
      return failed(server, 'the connection dropped before the answer');
    }
    return failed(server, err.details || err.message);
  }

  /** The frontend of `frontendType` holding `uid`, as the binding storage says. */
  private async frontendOf(frontendType: string, uid: string): Promise<ServerInfo> {
    const { bindings, discovery } = this.options;
    if (!bindings) {
      throw new PitayaError(ErrorCode.Internal, 'gRPC RPC reaches users through a binding storage: none is set', {
        uid,
      });
    }
    const id = await bindings.frontendOf(frontendType, uid);
    const server = id === undefined ? undefined : discovery.getServer(id);
    if (!server) {
      throw new PitayaError(ErrorCode.NotFound, `${uid} is not connected to any ${frontendType}`, { uid });
    }
    return server;
  }

  private async acknowledged(server: ServerInfo, method: typeof PushToUser, payload: Uint8Array): Promise<void> {
    const response = await this.unary<RpcResponse>(server, method, payload, this.requestTimeoutMs, (err) =>
      failed(server, err.details || err.message),
    );
    if (response.error) {
      const { code, msg, metadata } = response.error;
      throw new PitayaError(code || ErrorCode.Unknown, msg, metadata ?? {});
    }
  }

  async pushToUser(frontendType: string, push: PushMessage): Promise<void> {
    const server = await this.frontendOf(frontendType, push.uid);
    await this.acknowledged(server, PushToUser, protos.encodePush(push));
  }

  async kickUser(frontendType: string, uid: string): Promise<void> {
    const server = await this.frontendOf(frontendType, uid);
    await this.unary(server, KickUser, protos.encodeKickMsg(uid), this.requestTimeoutMs, (err) =>
      failed(server, err.details || err.message),
    );
  }

  /**
   * Tells the frontend the user was bound to (if another) that it is bound here now. Without the
   * bind's time: only that frontend hears of it, so it must give way whenever it is told (the
   * binding storage's order decides), as in Pitaya.
   */
  async announceBind(frontendType: string, bind: BindMessage): Promise<void> {
    const id = await this.options.bindings?.frontendOf(frontendType, bind.uid);
    const server = id === undefined || id === bind.fid ? undefined : this.options.discovery.getServer(id);
    if (!server) return;
    await this.acknowledged(server, SessionBindRemote, protos.encodeBindMsg(bind)).catch((err: unknown) =>
      // the bind goes on: a frontend that cannot be told has lost its sessions or is going
      this.options.logger.warn({ err, uid: bind.uid, frontend: id }, 'cannot tell the old frontend of a bind'),
    );
  }
}
