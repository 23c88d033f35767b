import {
  Server,
  ServerCredentials,
  type handleUnaryCall,
  type sendUnaryData,
  type ServerUnaryCall,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import {
  ErrorCode,
  errorMessage,
  PitayaError,
  type BindingStorage,
  type Logger,
  type RpcServer,
  type ServerInfo,
} from '@pitaya-ts/core';
import { protos, settlesWithin, type RpcHandler, type RpcResponse } from '@pitaya-ts/core/provider';
import { GrpcMetadata } from './grpc-address';
import { PITAYA_SERVICE } from './pitaya-service';

export interface GrpcRpcServerOptions {
  /** Listened on, on every interface; 0: any free port (the one taken is published). */
  port: number;
  /** Published as `grpcHost` unless the server's metadata already names one. */
  host: string;
  /** Published as `region` unless the server's metadata already names one; none when empty. */
  region: string;
  self: ServerInfo;
  /** Frontends write their users' bindings there; none: pushes and kicks by uid cannot reach them. */
  bindings: BindingStorage | undefined;
  logger: Logger;
}

type Answer = sendUnaryData<RpcResponse>;

const ACK_RESPONSE: RpcResponse = { data: protos.ACK };

/**
 * Pitaya's gRPC RPC server: serves `protos.Pitaya` (Call, PushToUser, SessionBindRemote, KickUser)
 * and publishes its address in the server's discovery metadata. On frontends, the users bound here
 * are written to the binding storage, where the other servers find them. Every call received gets
 * an answer, the ones received while stopping included.
 */
export class GrpcRpcServer implements RpcServer {
  private server: Server | undefined;
  /** Calls being handled, answered with an error if they outlast the stop's timeout. */
  private readonly running = new Set<Answer>();
  private stopping = false;
  private onIdle: (() => void) | undefined;
  /** Sessions holding each uid bound here: the binding goes when the last one closes. */
  private readonly holders = new Map<string, number>();

  constructor(private readonly options: GrpcRpcServerOptions) {}

  /** The port listened on, once started. */
  port = 0;

  async start(handler: RpcHandler): Promise<void> {
    const { self, host, region, bindings } = this.options;
    await bindings?.start();
    const server = new Server();
    server.addService(PITAYA_SERVICE, this.implementation(handler));
    this.port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`0.0.0.0:${this.options.port}`, ServerCredentials.createInsecure(), (err, port) =>
        err ? reject(err) : resolve(port),
      ),
    );
    this.server = server;
    // before discovery registers the server: the others learn where to call it
    self.metadata[GrpcMetadata.host] ??= host || self.hostname;
    self.metadata[GrpcMetadata.port] ??= String(this.port);
    if (region) self.metadata[GrpcMetadata.region] ??= region;
  }

  private implementation(handler: RpcHandler): UntypedServiceImplementation {
    const call: handleUnaryCall<Buffer, RpcResponse> = (call, answer) => this.call(handler, call, answer);
    const pushToUser: handleUnaryCall<Buffer, RpcResponse> = (call, answer) =>
      this.deliver(answer, () => handler.pushToUser(protos.decodePush(call.request)));
    const sessionBindRemote: handleUnaryCall<Buffer, RpcResponse> = (call, answer) =>
      this.deliver(answer, () => handler.bindAnnounced(protos.decodeBindMsg(call.request)));
    const kickUser: handleUnaryCall<Buffer, { kicked: boolean }> = (call, answer) => {
      try {
        handler.kickUser(protos.decodeKickMsg(call.request).userId);
        answer(null, { kicked: true });
      } catch (err) {
        this.options.logger.warn({ err }, 'undecodable kick dropped');
        answer(null, { kicked: false });
      }
    };
    return { Call: call, PushToUser: pushToUser, SessionBindRemote: sessionBindRemote, KickUser: kickUser };
  }

  /** A push or a bind for this frontend's users: acknowledged as Pitaya does. */
  private deliver(answer: Answer, run: () => void): void {
    try {
      run();
      answer(null, ACK_RESPONSE);
    } catch (err) {
      const error = new PitayaError(ErrorCode.BadRequest, `undecodable message: ${errorMessage(err)}`);
      answer(null, { error: error.toWire() });
    }
  }

  private call(handler: RpcHandler, call: ServerUnaryCall<Buffer, RpcResponse>, answer: Answer): void {
    if (this.stopping) {
      answer(null, { error: PitayaError.notRun(this.options.self.id) });
      return;
    }
    let request;
    try {
      request = protos.decodeRequest(call.request);
    } catch (err) {
      const error = new PitayaError(ErrorCode.BadRequest, `undecodable RPC: ${errorMessage(err)}`);
      answer(null, { error: error.toWire() });
      return;
    }
    this.running.add(answer);
    const done = (response: RpcResponse) => {
      // not running any more: answered with an error already, past the stop's timeout
      if (!this.running.delete(answer)) return;
      answer(null, response);
      if (this.running.size === 0) this.onIdle?.();
    };
    // the cluster's handler answers its own errors; anything else is not the caller's to see
    void handler.handle(request).then(done, (err: unknown) => {
      this.options.logger.error({ err, route: request.msg.route }, 'RPC handler failed');
      done({ error: new PitayaError(ErrorCode.Internal, 'internal error').toWire() });
    });
  }

  async stop(timeoutMs = 0): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.stopping = true;
    if (this.running.size > 0) {
      await settlesWithin(new Promise<void>((resolve) => (this.onIdle = resolve)), timeoutMs);
      this.onIdle = undefined;
    }
    if (this.running.size > 0) {
      this.options.logger.warn({ running: this.running.size }, 'shutdown timeout: RPCs answered with an error');
      const error = PitayaError.shuttingDown().toWire();
      for (const answer of this.running) answer(null, { error });
      this.running.clear();
    }
    // the answers are written before the connections close
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    this.server = undefined;
    this.holders.clear();
  }

  async subscribeUser(uid: string): Promise<void> {
    const holders = this.holders.get(uid) ?? 0;
    this.holders.set(uid, holders + 1);
    // put again by each session: the latest login here is where the user is
    await this.options.bindings?.bind(uid);
  }

  async unsubscribeUser(uid: string): Promise<void> {
    const holders = this.holders.get(uid);
    if (holders === undefined) return;
    if (holders > 1) {
      this.holders.set(uid, holders - 1);
      return;
    }
    this.holders.delete(uid);
    await this.options.bindings?.unbind(uid);
  }
}
