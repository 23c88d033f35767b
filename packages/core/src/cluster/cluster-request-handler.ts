import { formatDuration, parseDuration } from '../config/duration';
import type { OutboundEncoder } from '../serialize/outbound';
import type { HandlerService } from '../handler/handler-service';
import { asPitayaError, PitayaError } from '../errors/pitaya-error';
import type { Logger } from '../logging/logger';
import type { RemoteService } from '../handler/remote-service';
import type { RpcHandler } from '../rpc/rpc-client';
import { RpcMsgType, RpcType, type RpcRequest, type RpcResponse } from '../wire/rpc-messages';
import type { ServerInfo } from '../rpc/service-discovery';
import type { RouteParser } from '../routing/route';
import type { SessionPool } from '../session/session-pool';
import { BackendSession, type BackendSessionOps } from './backend-session';
import type { BindAnnouncer } from './bind-announcer';
import { markDeadline } from './deadline';
import { ACK, type BindMessage, type PushMessage } from '../wire/protos';
import { within } from '../util/within';
import type { Tracer } from '../tracing/tracer';
import { PushedSessions, takeForwardPlace } from './pushed-sessions';
import { SessionTurns } from './session-turns';

/** The caller's `reqTimeout`, in ms. */
function requestTimeout(request: RpcRequest): number | undefined {
  const raw = request.metadata.reqTimeout;
  return typeof raw === 'string' || typeof raw === 'number' ? parseDuration(raw) : undefined;
}

/** The deadline of a forward that came without one (its session's next forwards wait for it). */
const DEFAULT_TIMEOUT_MS = 60_000;

/** A frontend's session, among all the frontends'. */
const sessionKey = (request: RpcRequest) => `${request.frontendId}/${request.session?.id ?? 0}`;

export interface ClusterRequestHandlerDeps {
  self: ServerInfo;
  routes: RouteParser;
  handlers: HandlerService;
  remotes: RemoteService;
  pool: SessionPool;
  outbound: OutboundEncoder;
  sessionOps: BackendSessionOps;
  unique: boolean;
  /** Where other frontends' bind times are noted, and sessions kept against them announced again. */
  binds: BindAnnouncer;
  logger: Logger;
  tracer: Tracer;
}

/**
 * What this server does with what the cluster sends it: forwarded client messages (Sys RPC) run
 * their handler on a backend session; User RPCs run a remote; on frontends, pushes, kicks and
 * other frontends' binds reach the local sessions. Every RPC gets an answer or an error.
 * With tracing on, each RPC is a server span continuing the caller's trace.
 */
export class ClusterRequestHandler implements RpcHandler {
  private readonly tracing: boolean;
  /** Forwarded messages of one session run one after the other, in the order they arrived. */
  private readonly turns = new SessionTurns();
  private readonly pushed = new PushedSessions();

  constructor(private readonly deps: ClusterRequestHandlerDeps) {
    this.tracing = deps.tracer.enabled;
  }

  handle(request: RpcRequest): Promise<RpcResponse> {
    if (request.type !== RpcType.Sys || !request.session) return this.handleNow(request, undefined);
    // the caller's clock runs from now, not from the forward's turn
    const arrived = performance.now();
    return this.turns.run(sessionKey(request), () => this.handleNow(request, arrived));
  }

  /** `arrived`: a forward that waited for its session's turn since then. */
  private async handleNow(request: RpcRequest, arrived: number | undefined): Promise<RpcResponse> {
    const span = this.tracing ? this.deps.tracer.rpcReceived(request) : undefined;
    try {
      // a forward without a deadline still gets one: the session's next forwards wait for it
      let timeoutMs = requestTimeout(request) ?? (arrived === undefined ? undefined : DEFAULT_TIMEOUT_MS);
      if (timeoutMs !== undefined && arrived !== undefined) {
        // whole ms: the caller's timer, started first, fires first (and an unqueued forward's is the same)
        timeoutMs -= Math.floor(performance.now() - arrived);
        // its caller has given up: run now, it would overlap what the caller does next
        if (timeoutMs <= 0) throw this.late(request);
      }
      // the calls the handler makes with the request's metadata get less time than the caller waits
      if (timeoutMs) markDeadline(request.metadata, timeoutMs);
      const run = () => this.run(request, timeoutMs);
      const work = span ? this.deps.tracer.activate(span, run) : run();
      const data = timeoutMs ? await this.withDeadline(work, request, timeoutMs) : await work;
      span?.end();
      return { data };
    } catch (err) {
      if (!PitayaError.is(err)) {
        this.deps.logger.error({ err, route: request.msg.route }, 'RPC handler failed');
      }
      const error = asPitayaError(err);
      span?.end(error);
      return { error: error.toWire() };
    }
  }

  /** `timeoutMs`: what is left of the caller's deadline. */
  private run(request: RpcRequest, timeoutMs: number | undefined): Promise<Uint8Array> {
    return request.type === RpcType.Sys ? this.sys(request, timeoutMs) : this.user(request);
  }

  /** Past the caller's `reqTimeout`, nobody waits for the answer: stop waiting here too. */
  private withDeadline(work: Promise<Uint8Array>, request: RpcRequest, timeoutMs: number): Promise<Uint8Array> {
    return within(
      timeoutMs,
      () => this.late(request),
      (resolve, reject) => void work.then(resolve, reject),
    );
  }

  private late(request: RpcRequest): PitayaError {
    const { route } = request.msg;
    const raw = request.metadata.reqTimeout;
    const deadline = typeof raw === 'string' ? raw : formatDuration(requestTimeout(request) ?? DEFAULT_TIMEOUT_MS);
    return PitayaError.timeout(`${route} did not finish within ${deadline}`, { route });
  }

  private async sys(request: RpcRequest, timeoutMs: number | undefined): Promise<Uint8Array> {
    const route = this.deps.routes.parse(request.msg.route);
    const notify = request.msg.type === RpcMsgType.Notify;
    const session = this.backendSession(request, timeoutMs);
    const data = await this.deps.handlers.handle(
      route,
      notify ? 'notify' : 'request',
      session,
      request.msg.data,
      request.metadata,
    );
    return notify ? ACK : data;
  }

  /**
   * The session a forwarded message is handled with. A forward sent while earlier ones were on
   * their way gets what those pushed to its frontend since its snapshot was taken.
   */
  private backendSession(request: RpcRequest, timeoutMs: number | undefined): BackendSession {
    const place = takeForwardPlace(request.metadata);
    if (place === undefined)
      return BackendSession.fromSnapshot(request.session, request.frontendId, this.deps.sessionOps);
    const key = sessionKey(request);
    return BackendSession.fromSnapshot(
      this.pushed.snapshotFor(key, place, request.session),
      request.frontendId,
      this.deps.sessionOps,
      // kept while the forwards behind it may come: until its caller's deadline
      this.pushed.recorder(key, place.seq, timeoutMs ?? DEFAULT_TIMEOUT_MS),
    );
  }

  private user(request: RpcRequest): Promise<Uint8Array> {
    return this.deps.remotes.callSerialized(
      this.deps.routes.parse(request.msg.route),
      request.msg.data,
      request.metadata,
    );
  }

  pushToUser(push: PushMessage): void {
    const session = this.deps.pool.getByUid(push.uid);
    if (session) session.sendPrepared(this.deps.outbound.prepare(push.route, push.data));
  }

  kickUser(uid: string): void {
    void this.deps.pool.getByUid(uid)?.kick();
  }

  bindAnnounced(bind: BindMessage): void {
    if (!this.deps.unique || bind.fid === this.deps.self.id) return;
    if (bind.boundAt !== undefined) this.deps.binds.saw(bind.boundAt);
    const session = this.deps.pool.getByUid(bind.uid);
    if (!session) return;
    // announcements from two frontends may arrive in either order (NATS keeps each publisher's
    // order, not the cluster's): a session bound here after the announced bind is the newer one.
    // It is announced again: the announcer may not have heard of it (restarted since, or its
    // clock ahead), and gives way once it has. Without a time (Go Pitaya), the announcement wins.
    if (
      bind.boundAt === undefined ||
      session.boundAt === undefined ||
      !this.boundLater(session.boundAt, bind.boundAt, bind.fid)
    ) {
      void session.kick('bound on another frontend');
      return;
    }
    this.deps.binds.again(bind.uid, session.boundAt);
  }

  /** Whether a session here bound at `boundAt` took the uid after `fid` did (ties: by server id). */
  private boundLater(boundAt: number, announcedAt: number, fid: string): boolean {
    return boundAt > announcedAt || (boundAt === announcedAt && this.deps.self.id > fid);
  }
}
