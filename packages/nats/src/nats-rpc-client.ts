import { createInbox, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { ErrorCode, errorMessage, PitayaError, type Logger, type RpcClient, type ServerInfo } from '@pitaya-ts/core';
import {
  protos,
  type BindMessage,
  type PushMessage,
  type RpcRequest,
  type RpcResponse,
} from '@pitaya-ts/core/provider';
import { bindHeaders } from './bind-announcement';
import { EndOfTurn } from './end-of-turn';
import { connectNats } from './nats-connection';
import { subjects } from './subjects';

export interface NatsRpcClientOptions {
  url: string;
  connectTimeoutMs: number;
  maxReconnectAttempts: number;
  self: ServerInfo;
  logger: Logger;
}

interface Call {
  server: ServerInfo;
  subject: string;
  /** When NATS is given up on (`Date.now()` ms): the caller's own deadline passes first. */
  expires: number;
  resolve(response: RpcResponse): void;
  reject(error: Error): void;
}

/** Calls made while the connection is down that wait for it; past this they fail at once. */
const MAX_HELD = 10_000;
/** How often calls past their NATS deadline are failed (a backstop: callers keep their own deadline). */
const SWEEP_MS = 1000;

const failed = (server: ServerInfo, reason: string) =>
  new PitayaError(ErrorCode.Internal, `RPC to ${server.id} failed: ${reason}`, { server: server.id });

/**
 * Pitaya's NATS RPC client: request/reply on `pitaya/servers/<type>/<id>`, pushes, kicks and
 * binds published on the users' subjects. Answers come to one inbox subscription (`<inbox>.<token>`),
 * as NATS clients multiplex requests, without a timer or promise race per call. Calls in flight when
 * the connection drops fail at once (their answers are lost with it); calls made while it
 * reconnects wait for it and go out once it is back (NATS drops what is published meanwhile).
 */
export class NatsRpcClient implements RpcClient {
  readonly clustered = true;
  readonly transport = 'NATS';
  // one connection: NATS delivers one publisher's messages on a subject in the order published
  readonly ordered = true;
  private nc: NatsConnection | undefined;
  private inbox = '';
  private inboxSubscription: Subscription | undefined;
  private nextToken = 0;
  /** Calls sent, by the token of their reply subject. */
  private readonly inFlight = new Map<string, Call>();
  /** Calls made while the connection is down, with their request. */
  private held: { call: Call; payload: Uint8Array }[] = [];
  private down = false;
  private readonly publishes = new EndOfTurn();
  private sweeper: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly options: NatsRpcClientOptions) {}

  async start(): Promise<void> {
    const nc = await connectNats({
      url: this.options.url,
      name: `${this.options.self.id} rpc client`,
      connectTimeoutMs: this.options.connectTimeoutMs,
      maxReconnectAttempts: this.options.maxReconnectAttempts,
      logger: this.options.logger,
      onDisconnect: () => {
        this.down = true;
        this.failInFlight();
      },
      onReconnect: () => {
        this.down = false;
        this.sendHeld();
      },
      onServerError: (error) => this.publishDenied(error),
    });
    this.nc = nc;
    this.down = false;
    this.inbox = `${createInbox()}.`;
    this.inboxSubscription = undefined;
    // closed for good (gave up reconnecting, or stopped): nothing will answer
    void nc.closed().then(() => this.failAll('connection closed'));
    this.sweeper = setInterval(() => this.sweep(), SWEEP_MS);
    this.sweeper.unref();
  }

  async stop(): Promise<void> {
    // the calls made this turn go before the connection drains: they are in flight, failed below
    this.publishes.flush();
    await this.nc?.drain().catch(() => undefined);
    this.failAll('connection closed');
    clearInterval(this.sweeper);
    this.nc = undefined;
    this.inboxSubscription = undefined;
  }

  private connection(): NatsConnection {
    if (!this.nc) throw new PitayaError(ErrorCode.Internal, 'the NATS RPC client is not started');
    return this.nc;
  }

  private failInFlight(): void {
    const error = new PitayaError(ErrorCode.Internal, 'the RPC connection was lost before the answer came');
    for (const call of this.inFlight.values()) call.reject(error);
    this.inFlight.clear();
  }

  private failAll(reason: string): void {
    for (const call of this.inFlight.values()) call.reject(failed(call.server, reason));
    this.inFlight.clear();
    for (const { call } of this.held.splice(0)) call.reject(failed(call.server, reason));
  }

  call(server: ServerInfo, request: RpcRequest, timeoutMs: number): Promise<RpcResponse> {
    const nc = this.connection();
    return new Promise<RpcResponse>((resolve, reject) => {
      const payload = protos.encodeRequest(request);
      // the caller enforces the deadline with Pitaya's error; NATS only must not give up first
      const call: Call = {
        server,
        subject: subjects.server(server.type, server.id),
        expires: Date.now() + timeoutMs + 1000,
        resolve,
        reject,
      };
      // a connection closed for good refuses the call at once (publish throws)
      if (!this.down || nc.isClosed()) this.send(nc, call, payload);
      else if (this.held.length < MAX_HELD) this.held.push({ call, payload });
      else reject(failed(server, `the connection is down and ${MAX_HELD} calls already wait for it`));
    });
  }

  private send(nc: NatsConnection, call: Call, payload: Uint8Array): void {
    const token = (++this.nextToken).toString(36);
    this.inFlight.set(token, call);
    // in the order called, with the other calls of this turn: one write to NATS
    this.publishes.add(() => this.publish(nc, call, payload, token));
  }

  private publish(nc: NatsConnection, call: Call, payload: Uint8Array, token: string): void {
    try {
      this.inboxSubscription ??= nc.subscribe(`${this.inbox}*`, { callback: (err, msg) => this.answer(err, msg) });
      nc.publish(call.subject, payload, { reply: this.inbox + token });
    } catch (err) {
      this.inFlight.delete(token);
      call.reject(failed(call.server, errorMessage(err)));
    }
  }

  private answer(err: Error | null, msg: Msg): void {
    if (err) {
      // the inbox subscription itself was refused (permissions): made again by the next call
      this.inboxSubscription = undefined;
      for (const call of this.inFlight.values()) call.reject(failed(call.server, err.message));
      this.inFlight.clear();
      return;
    }
    const token = msg.subject.slice(this.inbox.length);
    const call = this.inFlight.get(token);
    if (!call) return; // its caller is gone: the connection dropped, or NATS gave up on it
    this.inFlight.delete(token);
    if (msg.data.length === 0 && msg.headers?.code === 503) {
      call.reject(PitayaError.unreachable(call.server.id));
      return;
    }
    try {
      call.resolve(protos.decodeResponse(msg.data));
    } catch (error) {
      call.reject(
        new PitayaError(ErrorCode.Internal, `undecodable answer from ${call.server.id}: ${errorMessage(error)}`),
      );
    }
  }

  /** The server refused a request (a publish permission): its oldest call to that subject fails. */
  private publishDenied(error: Error & { operation?: string; subject?: string }): void {
    if (error.operation !== 'publish') return;
    for (const [token, call] of this.inFlight) {
      if (call.subject !== error.subject) continue;
      this.inFlight.delete(token);
      call.reject(failed(call.server, error.message));
      return;
    }
  }

  private sendHeld(): void {
    const nc = this.nc;
    if (!nc) return;
    const now = Date.now();
    for (const { call, payload } of this.held.splice(0)) {
      if (call.expires <= now) call.reject(failed(call.server, 'timeout'));
      else this.send(nc, call, payload);
    }
  }

  private sweep(): void {
    const now = Date.now();
    for (const [token, call] of this.inFlight) {
      if (call.expires > now) continue;
      this.inFlight.delete(token);
      call.reject(failed(call.server, 'timeout'));
    }
    if (this.held.some(({ call }) => call.expires <= now)) {
      this.held = this.held.filter(({ call }) => {
        if (call.expires > now) return true;
        call.reject(failed(call.server, 'timeout'));
        return false;
      });
    }
  }

  async pushToUser(frontendType: string, push: PushMessage): Promise<void> {
    this.connection().publish(subjects.userPush(frontendType, push.uid), protos.encodePush(push));
  }

  async kickUser(frontendType: string, uid: string): Promise<void> {
    this.connection().publish(subjects.userKick(frontendType, uid), protos.encodeKickMsg(uid));
  }

  async announceBind(frontendType: string, bind: BindMessage): Promise<void> {
    const nc = this.connection();
    // a server older than NATS 2.2 takes no headers: the announcement goes without its time
    const headers = nc.info?.headers ? bindHeaders(bind) : undefined;
    nc.publish(subjects.bindings(frontendType), protos.encodeBindMsg(bind), { headers });
    // the bind is acknowledged to the client only once NATS has the announcement: a login on
    // another frontend right after it comes later, and the older session is the one kicked
    await nc.flush();
  }
}
