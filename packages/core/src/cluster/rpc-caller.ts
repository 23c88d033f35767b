import { formatDuration } from '../config/duration';
import { asPitayaError, ErrorCode, PitayaError } from '../errors/pitaya-error';
import type { RemoteService } from '../handler/remote-service';
import type { RpcClient } from '../rpc/rpc-client';
import { RpcMsgType, RpcType, type RpcRequest, type RpcSession } from '../wire/rpc-messages';
import type { ServerInfo } from '../rpc/service-discovery';
import type { UnreachableServers } from '../rpc/unreachable-servers';
import type { RouteParser } from '../routing/route';
import type { Tracer } from '../tracing/tracer';
import { timeoutWithin } from './deadline';
import { InFlightCalls, type InFlightCall } from './in-flight-calls';
import { within } from '../util/within';
import { FORWARD_PLACE_KEY, type ForwardPlace } from './pushed-sessions';

/** No server has it: routes' methods never start with `_`. */
const PROBE_ROUTE = 'sys.__probe';

export interface CallOptions {
  /** The caller's context, propagated beside Pitaya's keys. */
  metadata?: Record<string, unknown>;
  timeoutMs: number;
}

export interface SysCallOptions extends CallOptions {
  session: RpcSession;
  messageId: number;
  notify: boolean;
  /** Where the forward stands among its session's forwards on their way (pipelined ones only). */
  place?: ForwardPlace;
}

/**
 * Makes RPCs the way Pitaya does: Pitaya's metadata keys, a deadline that travels as
 * `reqTimeout`, PIT-408 when it passes, remote errors rethrown with their code and metadata.
 * A call to this very server never leaves the process. A call made for a request (its metadata
 * passed on) gets no more time than the request has left.
 *
 * A server found unreachable is left out of routing for a while, and the calls in flight to a
 * server that went away fail at once: as errors, since it may have handled them. With tracing on,
 * each call is a client span whose context travels in the request's metadata.
 */
export class RpcCaller {
  private readonly inFlight = new InFlightCalls();
  private readonly tracing: boolean;
  private readonly prober: ReturnType<typeof setInterval> | undefined;
  /** The last call sent at the previous probe round. */
  private probedUpTo = 0;
  private readonly probing = new Set<string>();

  constructor(
    private readonly self: ServerInfo,
    private readonly client: RpcClient,
    private readonly remotes: () => RemoteService,
    private readonly routes: RouteParser,
    private readonly unreachable: UnreachableServers,
    /** Servers whose calls have waited this long are probed; 0: never. */
    private readonly probeMs: number,
    private readonly tracer: Tracer,
  ) {
    this.tracing = tracer.enabled;
    if (probeMs > 0) this.prober = setInterval(() => this.probe(), probeMs).unref();
  }

  stop(): void {
    clearInterval(this.prober);
  }

  /** Calls to one server reach it in the order made (`RpcClient.ordered`). */
  get ordered(): boolean {
    return this.client.ordered === true;
  }

  /** User RPC: a remote of `target`, argument and result serialized. */
  async user(target: ServerInfo, route: string, arg: Uint8Array, options: CallOptions): Promise<Uint8Array> {
    if (target.id === this.self.id) {
      return this.remotes().callSerialized(this.routes.parse(route), arg, options.metadata ?? {});
    }
    const timeoutMs = timeoutWithin(options.timeoutMs, options.metadata);
    return this.traced(
      target,
      {
        type: RpcType.User,
        msg: { id: 0, route, data: arg, type: RpcMsgType.Request },
        frontendId: this.self.frontend ? this.self.id : '',
        metadata: this.metadata(route, options.metadata, timeoutMs),
      },
      timeoutMs,
    );
  }

  /** Sys RPC: a client message forwarded by this frontend to a handler of `target`. */
  sys(target: ServerInfo, route: string, body: Uint8Array, options: SysCallOptions): Promise<Uint8Array> {
    const timeoutMs = timeoutWithin(options.timeoutMs, options.metadata);
    return this.traced(
      target,
      {
        type: RpcType.Sys,
        session: options.session,
        msg: {
          id: options.messageId,
          route,
          data: body,
          type: options.notify ? RpcMsgType.Notify : RpcMsgType.Request,
        },
        frontendId: this.self.id,
        metadata: this.metadata(route, options.metadata, timeoutMs, options.place),
      },
      timeoutMs,
    );
  }

  /**
   * A server left discovery: the calls in flight to it fail once `graceMs` has passed (a server
   * that leaves on purpose answers what it holds during its shutdown delay).
   */
  serverLeft(serverId: string, graceMs: number): void {
    const sentUpTo = this.inFlight.lastSent;
    const error = new PitayaError(ErrorCode.Internal, `server ${serverId} left the cluster before answering`, {
      server: serverId,
    });
    setTimeout(() => {
      this.inFlight.fail(serverId, error, sentUpTo);
      this.inFlight.forget(serverId);
    }, graceMs).unref();
  }

  private metadata(
    route: string,
    metadata: Record<string, unknown> | undefined,
    timeoutMs: number,
    place?: ForwardPlace,
  ) {
    return {
      ...metadata,
      ...(place && { [FORWARD_PLACE_KEY]: [place.seq, place.answered] }),
      'req-start-time': Date.now() * 1e6,
      'req-route': route,
      'peer.id': this.self.id,
      'peer.service': this.self.type,
      reqTimeout: formatDuration(timeoutMs),
    };
  }

  /** `send`, as a client span when tracing is on: the span's context travels in the request's metadata. */
  private traced(target: ServerInfo, request: RpcRequest, timeoutMs: number): Promise<Uint8Array> {
    if (!this.tracing) return this.send(target, request, timeoutMs);
    const call = { transport: this.client.transport ?? 'RPC', target, route: request.msg.route };
    const span = this.tracer.rpcCall(call, request.metadata);
    const answer = this.send(target, request, timeoutMs);
    answer.then(
      () => span.end(),
      (err: unknown) => span.end(asPitayaError(err)),
    );
    return answer;
  }

  private send(target: ServerInfo, request: RpcRequest, timeoutMs: number): Promise<Uint8Array> {
    let call: InFlightCall | undefined;
    const late = () => {
      if (call) this.inFlight.end(call);
      return this.timeout(target, request, timeoutMs);
    };
    return within<Uint8Array>(timeoutMs, late, (resolve, reject) => {
      // sent first: a client that refuses the call at once leaves nothing to clean up
      const answer = this.client.call(target, request, timeoutMs);
      const sent = (call = this.inFlight.start(target, reject));
      answer.then(
        (response) => {
          if (!this.inFlight.end(sent)) return;
          if (!response.error) return resolve(response.data ?? new Uint8Array(0));
          if (PitayaError.isNotRun(response.error)) {
            // received, never run (the server is stopping): as good as unreachable
            this.unreachable.mark(target.id);
            return reject(PitayaError.unreachable(target.id));
          }
          const { code, msg, metadata } = response.error;
          reject(new PitayaError(code || ErrorCode.Unknown, msg, metadata ?? {}));
        },
        (err: unknown) => {
          if (!this.inFlight.end(sent)) return;
          if (PitayaError.is(err) && err.unreachable) this.wentAway(target, sent.seq);
          reject(err);
        },
      );
    });
  }

  /**
   * Nobody received a call to `target`: it is left out of routing, and the calls sent to it before,
   * which reached it, will never be answered.
   */
  private wentAway(target: ServerInfo, seq: number): void {
    this.unreachable.mark(target.id);
    const error = new PitayaError(ErrorCode.Internal, `server ${target.id} went away before answering`, {
      server: target.id,
    });
    this.inFlight.fail(target.id, error, seq - 1);
  }

  /**
   * NATS says nobody serves a server only to a call sent there: a server that died holding calls,
   * while no new call goes to it (a frontend's dispatch slots all waiting on it), would be found out
   * only by their deadlines. A server with a call that waited a whole round gets a probe: a call
   * no server has a route for, answered with an error by any live one.
   */
  private probe(): void {
    for (const server of this.inFlight.waitingSince(this.probedUpTo)) {
      if (this.probing.has(server.id)) continue;
      this.probing.add(server.id);
      const request = {
        type: RpcType.User,
        msg: { id: 0, route: PROBE_ROUTE, data: new Uint8Array(0), type: RpcMsgType.Request },
        frontendId: '',
        metadata: this.metadata(PROBE_ROUTE, undefined, 2 * this.probeMs),
      };
      // only a "nobody there" matters, and send() acts on it; a probe that waits holds no one up
      void this.send(server, request, 2 * this.probeMs)
        .catch(() => undefined)
        .finally(() => this.probing.delete(server.id));
    }
    this.probedUpTo = this.inFlight.lastSent;
  }

  private timeout(target: ServerInfo, request: RpcRequest, timeoutMs: number): PitayaError {
    return PitayaError.timeout(`RPC to ${target.id} timed out after ${formatDuration(timeoutMs)}`, {
      timeout: formatDuration(timeoutMs),
      route: request.msg.route,
      server: target.id,
      'peer.id': this.self.id,
    });
  }
}
