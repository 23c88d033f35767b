import { MessageType, type Message } from '@pitaya-ts/protocol';
import { asPitayaError, ErrorCode, PitayaError } from '../errors/pitaya-error';
import type { Logger } from '../logging/logger';
import { metricTags } from '../metrics/metric-tags';
import { Metric, type MetricsReporter } from '../metrics/metrics-reporter';
import type { ParsedRoute, RouteParser } from '../routing/route';
import type { Session } from '../session/session';
import type { HandlerService } from '../handler/handler-service';
import type { TraceSpan, Tracer } from '../tracing/tracer';

/** The client a message came from, as the processor answers it: the agent, on a frontend. */
export interface MessageSender {
  readonly session: Session;
  respond(id: number, body: Uint8Array): void;
  respondError(id: number, error: PitayaError): void;
}

/**
 * Handles one client message on behalf of its sender. Returns a promise while the handling waits
 * on something (an async handler, a forward), nothing when it finished at once.
 */
export type ProcessMessage = (sender: MessageSender, message: Message, receivedAt: number) => Promise<void> | undefined;

/** Sends a message for another server type to a server of that type (standalone: PIT-404). */
export type Forwarder = (
  route: ParsedRoute,
  type: 'request' | 'notify',
  session: Session,
  message: Message,
  /** The message's context (`request.id`...), propagated to the server that handles it. */
  metadata: Record<string, unknown>,
) => Promise<Uint8Array>;

/**
 * Handles one client message end to end: route, local handler or forward, response or error,
 * metrics, trace. Never throws: every outcome is an answer (requests) or a log line (notifies).
 */
export class MessageProcessor {
  private readonly measuring: boolean;
  /** A line per message at debug level; looked up once, not per message. */
  private readonly logging: boolean;
  private readonly tracing: boolean;

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
      answer =
        route.serverType === this.serverType
          ? this.handlers.run(route, type, sender.session, message.body, metadata)
          : this.forward(route, type, sender.session, message, metadata);
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
