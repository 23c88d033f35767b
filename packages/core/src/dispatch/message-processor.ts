import { MessageType, type Message } from '@pitaya-ts/protocol';
import { asPitayaError, ErrorCode, PitayaError } from '../errors/pitaya-error';
import type { Logger } from '../logging/logger';
import { metricTags } from '../metrics/metric-tags';
import { Metric, type MetricsReporter } from '../metrics/metrics-reporter';
import type { ParsedRoute, RouteParser } from '../routing/route';
import type { Session } from '../session/session';
import type { HandlerService } from '../handler/handler-service';
import type { TraceSpan, Tracer } from '../tracing/tracer';
import { SessionForwards } from './session-forwards';

/** The client a message came from, as the processor answers it: the agent, on a frontend. */
export interface MessageSender {
  readonly session: Session;
  respond(id: number, body: Uint8Array): void;
  respondError(id: number, error: PitayaError): void;
  /** Lets the session's next message start before this one is answered (`Dispatcher.pass`). */
  pass?(): void;
}

/**
 * Handles one client message on behalf of its sender. Returns a promise while the handling waits
 * on something (an async handler, a forward), nothing when it finished at once.
 */
export type ProcessMessage = (sender: MessageSender, message: Message, receivedAt: number) => Promise<void> | undefined;

/**
 * Sends a message for another server type to a server of that type (standalone: PIT-404). A
 * forwarder may ignore `order`: the session's next message then waits for this one's answer.
 */
export type Forwarder = (
  route: ParsedRoute,
  type: 'request' | 'notify',
  session: Session,
  message: Message,
  /** The message's context (`request.id`...), propagated to the server that handles it. */
  metadata: Record<string, unknown>,
  order?: ForwardOrder,
) => Promise<Uint8Array>;

/** How a forwarder pipelines a session's forwards without breaking their order. */
export interface ForwardOrder {
  /** The session's earlier forwards that let this one start and are not answered yet. */
  readonly earlier: SessionForwards;
  /**
   * This forward, numbered `seq`, is on its way to `target`, behind the earlier ones, and that
   * server handles the session's messages in the order sent: the session's next message may start.
   * An attempt that fails is `earlier.answered(seq)` at once (its retry is sent anew).
   */
  sent(seq: number, target: string): void;
}

/**
 * Handles one client message end to end: route, local handler or forward, response or error,
 * metrics, trace. Never throws: every outcome is an answer (requests) or a log line (notifies).
 */
export class MessageProcessor {
  private readonly measuring: boolean;
  /** A line per message at debug level; looked up once, not per message. */
  private readonly logging: boolean;
  private readonly tracing: boolean;
  /** Sessions with forwards between their start and their answer: what runs here waits for them. */
  private readonly forwards = new Map<number, SessionForwards>();

  constructor(
    private readonly serverType: string,
    private readonly routes: RouteParser,
    private readonly handlers: HandlerService,
    private readonly forward: Forwarder,
    private readonly reporter: MetricsReporter,
    private readonly logger: Logger,
    private readonly tracer: Tracer,
  ) {
    this.measuring = reporter.enabled !== false;
    this.logging = logger.isLevelEnabled('debug');
    this.tracing = tracer.enabled;
  }

  readonly process: ProcessMessage = (sender, message, receivedAt) => {
    const type = message.type === MessageType.Request ? 'request' : 'notify';
    // what the handler propagates: it may tag the metrics below
    const metadata: Record<string, unknown> = {};
    if (!this.tracing) return this.handle(sender, message, receivedAt, type, metadata, undefined);
    const span = this.tracer.clientMessage({ route: message.route, type, uid: sender.session.uid }, metadata);
    return this.tracer.activate(span, () => this.handle(sender, message, receivedAt, type, metadata, span));
  };

  private handle(
    sender: MessageSender,
    message: Message,
    receivedAt: number,
    type: 'request' | 'notify',
    metadata: Record<string, unknown>,
    span: TraceSpan | undefined,
  ): Promise<void> | undefined {
    const started = this.measuring || this.logging ? performance.now() : 0;
    let route: ParsedRoute | undefined;
    let answer: Uint8Array | Promise<Uint8Array>;
    try {
      route = this.routes.parse(message.route);
      if (route.serverType === this.serverType) {
        // after the session's forwards still on their way: its messages are handled in order
        const earlier = this.forwards.size > 0 ? this.forwards.get(sender.session.id) : undefined;
        if (earlier !== undefined && earlier.count > 0) {
          return earlier.atMost(0).then(() => this.handle(sender, message, receivedAt, type, metadata, span));
        }
        answer = this.handlers.run(route, type, sender.session, message.body, metadata);
      } else answer = this.forwardInOrder(route, type, sender, message, metadata);
    } catch (err) {
      this.failed(sender, message, type, metadata, span, route, err, receivedAt, started);
      return undefined;
    }
    // answered at once: no promise, no turn
    if (answer instanceof Uint8Array) {
      this.answered(sender, message, type, metadata, span, route, answer, receivedAt, started);
      return undefined;
    }
    return answer.then(
      (bytes) => this.answered(sender, message, type, metadata, span, route, bytes, receivedAt, started),
      (err: unknown) => this.failed(sender, message, type, metadata, span, route, err, receivedAt, started),
    );
  }

  /** Forwards a message; the forwarder may let the session's next message start before the answer. */
  private forwardInOrder(
    route: ParsedRoute,
    type: 'request' | 'notify',
    sender: MessageSender,
    message: Message,
    metadata: Record<string, unknown>,
  ): Promise<Uint8Array> {
    const { id } = sender.session;
    let earlier = this.forwards.get(id);
    if (earlier === undefined) this.forwards.set(id, (earlier = new SessionForwards()));
    const forwards = earlier;
    forwards.holders++;
    let seq = 0;
    let answered = false;
    const order: ForwardOrder = {
      earlier: forwards,
      sent: (number, target) => {
        if (answered) return;
        // again when the first attempt found its server unreachable: the turn passed already
        const first = seq === 0;
        seq = number;
        forwards.sent(seq, target);
        if (first) sender.pass?.();
      },
    };
    const settle = () => {
      answered = true;
      if (seq !== 0) forwards.answered(seq);
      if (--forwards.holders === 0) this.forwards.delete(id);
    };
    const answer = this.forward(route, type, sender.session, message, metadata, order);
    answer.then(settle, settle);
    return answer;
  }

  private answered(
    sender: MessageSender,
    message: Message,
    type: 'request' | 'notify',
    metadata: Record<string, unknown>,
    span: TraceSpan | undefined,
    route: ParsedRoute,
    response: Uint8Array,
    receivedAt: number,
    started: number,
  ): void {
    try {
      if (type === 'request') sender.respond(message.id, response);
    } catch (err) {
      return this.failed(sender, message, type, metadata, span, route, err, receivedAt, started);
    }
    span?.end();
    this.done(sender, type, metadata, route.full, this.serves(route), '', receivedAt, started);
  }

  private failed(
    sender: MessageSender,
    message: Message,
    type: 'request' | 'notify',
    metadata: Record<string, unknown>,
    span: TraceSpan | undefined,
    route: ParsedRoute | undefined,
    err: unknown,
    receivedAt: number,
    started: number,
  ): void {
    const routeName = route?.full ?? message.route;
    const error = asPitayaError(err);
    span?.end(error);
    if (!PitayaError.is(err)) this.logger.error({ err, route: routeName }, 'handler failed');
    if (type === 'request') sender.respondError(message.id, error);
    // not `msg`: pino's message key, which would shadow the reason in the JSON line
    else this.logger.warn({ route: routeName, code: error.code, reason: error.message }, 'notify failed');
    const served = route !== undefined && this.serves(route);
    this.done(sender, type, metadata, routeName, served, error.code, receivedAt, started);
  }

  /** A route this server serves keeps its label in metrics whatever the outcome. */
  private serves(route: ParsedRoute): boolean {
    return route.serverType === this.serverType && this.handlers.has(route);
  }

  /** The debug line and the metrics of a handled message. */
  private done(
    sender: MessageSender,
    type: 'request' | 'notify',
    metadata: Record<string, unknown>,
    routeName: string,
    served: boolean,
    code: string,
    receivedAt: number,
    started: number,
  ): void {
    if (this.logging) {
      const ms = Math.round((performance.now() - started) * 100) / 100;
      const { id: session, uid } = sender.session;
      this.logger.debug({ session, uid, route: routeName, ms, ...(code && { code }) }, type);
    }
    if (!this.measuring) return;
    // a client can send any route: unknown ones share one label value, or the series would explode
    if (!served && (code === ErrorCode.NotFound || code === ErrorCode.BadRequest)) routeName = 'unknown';
    const tags = metricTags(metadata);
    const labels = { ...tags, route: routeName, type, status: code ? 'failed' : 'ok', code };
    this.reporter.reportSummary(Metric.ResponseTime, labels, (performance.now() - receivedAt) * 1e6);
    this.reporter.reportSummary(Metric.HandlerDelay, { ...tags, route: routeName, type }, (started - receivedAt) * 1e6);
  }
}
