import type { NatsConnection } from '@nats-io/transport-node';
import {
  ErrorCode,
  PitayaError,
  protos,
  type BindMessage,
  type Logger,
  type PushMessage,
  type RpcClient,
  type RpcRequest,
  type RpcResponse,
  type ServerInfo,
} from '@pitaya-ts/core';
import { connectNats } from './nats-connection';
import { subjects } from './subjects';

export interface NatsRpcClientOptions {
  url: string;
  connectTimeoutMs: number;
  maxReconnectAttempts: number;
  self: ServerInfo;
  logger: Logger;
}

interface InFlight {
  reject(error: Error): void;
}

/**
 * Pitaya's NATS RPC client: request/reply on `pitaya/servers/<type>/<id>`, pushes, kicks and
 * binds published on the users' subjects. Calls in flight when the connection drops fail at once
 * (their answers are lost with it); calls made while it reconnects go out once it is back.
 */
export class NatsRpcClient implements RpcClient {
  private nc: NatsConnection | undefined;
  private readonly inFlight = new Set<InFlight>();

  constructor(private readonly options: NatsRpcClientOptions) {}

  async start(): Promise<void> {
    this.nc = await connectNats({
      url: this.options.url,
      name: `${this.options.self.id} rpc client`,
      connectTimeoutMs: this.options.connectTimeoutMs,
      maxReconnectAttempts: this.options.maxReconnectAttempts,
      logger: this.options.logger,
      onDisconnect: () => this.failInFlight(),
    });
  }

  async stop(): Promise<void> {
    await this.nc?.drain().catch(() => undefined);
    this.nc = undefined;
  }

  private connection(): NatsConnection {
    if (!this.nc) throw new PitayaError(ErrorCode.Internal, 'the NATS RPC client is not started');
    return this.nc;
  }

  private failInFlight(): void {
    const error = new PitayaError(ErrorCode.Internal, 'the RPC connection was lost before the answer came');
    for (const call of this.inFlight) call.reject(error);
    this.inFlight.clear();
  }

  call(server: ServerInfo, request: RpcRequest, timeoutMs: number): Promise<RpcResponse> {
    const nc = this.connection();
    return new Promise<RpcResponse>((resolve, reject) => {
      const call: InFlight = { reject };
      this.inFlight.add(call);
      // the caller enforces the deadline with Pitaya's error; NATS only must not give up first
      nc.request(subjects.server(server.type, server.id), protos.encodeRequest(request), {
        timeout: timeoutMs + 1000,
      }).then(
        (msg) => {
          this.inFlight.delete(call);
          try {
            resolve(protos.decodeResponse(msg.data));
          } catch (err) {
            reject(
              new PitayaError(ErrorCode.Internal, `undecodable answer from ${server.id}: ${(err as Error).message}`),
            );
          }
        },
        (err: Error & { isNoResponders?: () => boolean }) => {
          this.inFlight.delete(call);
          if (err.isNoResponders?.()) {
            reject(new PitayaError(ErrorCode.Internal, `server ${server.id} is unreachable`, { server: server.id }));
          } else {
            reject(
              new PitayaError(ErrorCode.Internal, `RPC to ${server.id} failed: ${err.message}`, { server: server.id }),
            );
          }
        },
      );
    });
  }

  async pushToUser(frontendType: string, push: PushMessage): Promise<void> {
    this.connection().publish(subjects.userPush(frontendType, push.uid), protos.encodePush(push));
  }

  async kickUser(frontendType: string, uid: string): Promise<void> {
    this.connection().publish(subjects.userKick(frontendType, uid), protos.encodeKickMsg(uid));
  }

  async announceBind(frontendType: string, bind: BindMessage): Promise<void> {
    this.connection().publish(subjects.bindings(frontendType), protos.encodeBindMsg(bind));
  }
}
