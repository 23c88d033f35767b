import type { Msg, MsgCallback, NatsConnection, Subscription } from '@nats-io/transport-node';
import {
  ErrorCode,
  errorMessage,
  type Logger,
  Metric,
  type MetricsReporter,
  PitayaError,
  type RpcServer,
  type ServerInfo,
} from '@pitaya-ts/core';
import { protos, settlesWithin, type RpcHandler } from '@pitaya-ts/core/provider';
import { announcedBind } from './bind-announcement';
import { EndOfTurn } from './end-of-turn';
import { connectNats } from './nats-connection';

/** A subscription callback that skips the errors NATS reports for the subscription itself. */
const each =
  (fn: (msg: Msg) => void): MsgCallback<Msg> =>
  (err, msg) => {
    if (!err) fn(msg);
  };
import { subjects } from './subjects';

export interface NatsRpcServerOptions {
  url: string;
  connectTimeoutMs: number;
  maxReconnectAttempts: number;
  /** RPCs processed at once (`pitaya.cluster.rpc.server.nats.services`). */
  concurrency: number;
  /** RPCs waiting beyond those; past it they are refused and counted. */
  backlog: number;
  self: ServerInfo;
  reporter: MetricsReporter;
  logger: Logger;
}

/**
 * Pitaya's NATS RPC server: answers the requests on `pitaya/servers/<type>/<id>` with bounded
 * concurrency; on frontends, also delivers the pushes and kicks of bound users and the binds of
 * other frontends. An RPC that finds no room is answered with an error, never left unanswered,
 * and so is one received before a stop.
 */
export class NatsRpcServer implements RpcServer {
  private nc: NatsConnection | undefined;
  private handler: RpcHandler | undefined;
  /** RPCs being handled: answered with an error if they outlast the stop's timeout. */
  private readonly running = new Set<Msg>();
  private readonly waiting: Msg[] = [];
  private readonly answers = new EndOfTurn();
  /** Stopping: RPCs that come now are not run, and their callers are told so. */
  private stopping = false;
  /** Called once nothing runs or waits, while stopping. */
  private onIdle: (() => void) | undefined;
  /** Subscriptions of bound uids, with how many sessions hold each. */
  private readonly users = new Map<string, { subscriptions: Subscription[]; holders: number }>();

  constructor(private readonly options: NatsRpcServerOptions) {}

  async start(handler: RpcHandler): Promise<void> {
    const { self } = this.options;
    this.handler = handler;
    this.nc = await connectNats({
      url: this.options.url,
      name: `${self.id} rpc server`,
      connectTimeoutMs: this.options.connectTimeoutMs,
      maxReconnectAttempts: this.options.maxReconnectAttempts,
      logger: this.options.logger,
    });
    this.nc.subscribe(subjects.server(self.type, self.id), {
      callback: each((msg) => this.accept(msg)),
    });
    if (self.frontend) {
      this.nc.subscribe(subjects.bindings(self.type), {
        callback: each((msg) => this.safely(() => handler.bindAnnounced(announcedBind(msg)))),
      });
    }
    await this.nc.flush();
  }

  async stop(timeoutMs = 0): Promise<void> {
    const nc = this.nc;
    if (!nc) return;
    // new RPCs are answered "not run", and their callers send them to another server. Still
    // subscribed: NATS's "no responders" would tell callers this server died, failing the calls
    // they have in flight here, which it is about to answer
    this.stopping = true;
    await this.idle(timeoutMs);
    this.answers.flush();
    this.answerUnfinished();
    // flushes the answers before closing
    await nc.drain().catch(() => undefined);
    this.nc = undefined;
    this.users.clear();
  }

  private async idle(timeoutMs: number): Promise<void> {
    if (this.running.size === 0) return;
    await settlesWithin(new Promise<void>((resolve) => (this.onIdle = resolve)), timeoutMs);
    this.onIdle = undefined;
  }

  /** Past the stop's timeout: an error for what still runs, another server for what never ran. */
  private answerUnfinished(): void {
    const { self, logger } = this.options;
    if (this.running.size + this.waiting.length === 0) return;
    logger.warn(
      { running: this.running.size, waiting: this.waiting.length },
      'shutdown timeout: RPCs answered with an error',
    );
    const running = protos.encodeResponse({ error: PitayaError.shuttingDown().toWire() });
    for (const msg of this.running) this.reply(msg, running);
    this.running.clear();
    const waiting = protos.encodeResponse({ error: PitayaError.notRun(self.id) });
    for (const msg of this.waiting.splice(0)) this.reply(msg, waiting);
  }

  private reply(msg: Msg, answer: Uint8Array): void {
    try {
      if (msg.reply) msg.respond(answer);
    } catch (err) {
      this.options.logger.warn({ err }, 'RPC answer lost: the NATS connection is closed');
    }
  }

  private safely(run: () => void): void {
    try {
      run();
    } catch (err) {
      this.options.logger.warn({ err }, 'undecodable cluster message dropped');
    }
  }

  private accept(msg: Msg): void {
    if (this.stopping) {
      this.reply(msg, protos.encodeResponse({ error: PitayaError.notRun(this.options.self.id) }));
    } else if (this.running.size < this.options.concurrency) {
      void this.process(msg);
    } else if (this.waiting.length < this.options.backlog) {
      this.waiting.push(msg);
    } else {
      this.options.reporter.reportCount(Metric.DroppedMessages, {}, 1);
      const error = new PitayaError(ErrorCode.Internal, `server ${this.options.self.id} is overloaded`);
      msg.respond(protos.encodeResponse({ error: error.toWire() }));
    }
  }

  private get startedHandler(): RpcHandler {
    if (!this.handler) throw new Error('the RPC server is not started');
    return this.handler;
  }

  private async process(msg: Msg): Promise<void> {
    this.running.add(msg);
    let answer: Uint8Array;
    try {
      answer = protos.encodeResponse(await this.startedHandler.handle(protos.decodeRequest(msg.data)));
    } catch (err) {
      const error = new PitayaError(ErrorCode.BadRequest, `undecodable RPC: ${errorMessage(err)}`);
      answer = protos.encodeResponse({ error: error.toWire() });
    }
    // not running any more: answered with an error already, past the stop's timeout
    if (!this.running.delete(msg)) return;
    // with the other answers of this turn: one write to NATS
    this.answers.add(() => this.reply(msg, answer));
    const next = this.waiting.shift();
    if (next) void this.process(next);
    else if (this.running.size === 0) this.onIdle?.();
  }

  async subscribeUser(uid: string): Promise<void> {
    const { self } = this.options;
    const nc = this.nc;
    const handler = this.handler;
    if (!nc || !handler) return;
    const held = this.users.get(uid);
    if (held) {
      held.holders++;
    } else {
      const subscriptions = [
        nc.subscribe(subjects.userPush(self.type, uid), {
          callback: each((msg) => this.safely(() => handler.pushToUser(protos.decodePush(msg.data)))),
        }),
        nc.subscribe(subjects.userKick(self.type, uid), {
          callback: each((msg) => this.safely(() => handler.kickUser(protos.decodeKickMsg(msg.data).userId))),
        }),
      ];
      this.users.set(uid, { subscriptions, holders: 1 });
    }
    // a push sent right after the bind must find the subscription in place
    await nc.flush();
  }

  async unsubscribeUser(uid: string): Promise<void> {
    const held = this.users.get(uid);
    if (!held || --held.holders > 0) return;
    for (const subscription of held.subscriptions) subscription.unsubscribe();
    this.users.delete(uid);
  }
}
