import { randomUUID } from 'node:crypto';
import {
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
  type TextMapPropagator,
  type Tracer as ApiTracer,
} from '@opentelemetry/api';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import type { ClientMessageTrace, PitayaError, RpcCallTrace, ServerInfo, TraceSpan, Tracer } from '@pitaya-ts/core';
import type { RpcRequest } from '@pitaya-ts/core/provider';

/** The RPC metadata key of the trace context: a JSON object of the propagator's headers. */
export const SPAN_METADATA_KEY = 'otel-span';

/** Inject and extract, as both the global propagation API and a TextMapPropagator have them. */
export type Propagator = Pick<TextMapPropagator, 'inject' | 'extract'>;

class OtelSpan implements TraceSpan {
  constructor(
    readonly span: Span,
    /** The context the span is active in: its children's parent. */
    readonly context: Context,
  ) {}

  end(error?: PitayaError): void {
    if (error) {
      // the PIT code: what the caller got, and what a trace backend groups failures by
      this.span.setStatus({ code: SpanStatusCode.ERROR, message: error.code });
      this.span.setAttribute(ATTR_ERROR_TYPE, error.code);
    }
    this.span.end();
  }
}

/** `otel-span` as Go Pitaya and pitaya-ts send it (an object), or as a JSON string of one. */
function carrierOf(value: unknown): Record<string, string> {
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return {};
    }
  }
  return typeof value === 'object' && value !== null ? (value as Record<string, string>) : {};
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/**
 * Core's tracer on OpenTelemetry, with Pitaya v3's span names, kinds and attributes: a server span
 * per client message named by its route, a client span per RPC sent (`NATS RPC Call`), a server
 * span per RPC received that continues the caller's trace from `otel-span`.
 */
export class OtelTracer implements Tracer {
  readonly enabled = true;

  constructor(
    private readonly self: ServerInfo,
    private readonly tracer: ApiTracer,
    private readonly propagator: Propagator,
  ) {}

  clientMessage(message: ClientMessageTrace, metadata: Record<string, unknown>): TraceSpan {
    // Pitaya's id of the request, which the servers it reaches tag their spans with
    const requestId = randomUUID();
    metadata['request.id'] = requestId;
    return this.start(message.route, SpanKind.SERVER, ROOT_CONTEXT, {
      'local.id': this.self.id,
      'span.kind': 'server',
      'msg.type': message.type,
      'user.id': message.uid ?? '',
      'request.id': requestId,
    });
  }

  rpcCall(call: RpcCallTrace, metadata: Record<string, unknown>): TraceSpan {
    const span = this.start(`${call.transport} RPC Call`, SpanKind.CLIENT, context.active(), {
      'span.kind': 'client',
      'local.id': this.self.id,
      'peer.serverType': call.target.type,
      'peer.id': call.target.id,
    });
    const carrier: Record<string, string> = {};
    this.propagator.inject(span.context, carrier, defaultTextMapSetter);
    metadata[SPAN_METADATA_KEY] = carrier;
    return span;
  }

  rpcReceived(request: RpcRequest): TraceSpan {
    const { metadata } = request;
    // from the metadata only: in a cluster inside one process the caller's context is active here too
    const parent = this.propagator.extract(ROOT_CONTEXT, carrierOf(metadata[SPAN_METADATA_KEY]), defaultTextMapGetter);
    return this.start(request.msg.route, SpanKind.SERVER, parent, {
      'local.id': this.self.id,
      'span.kind': 'server',
      'peer.id': text(metadata['peer.id']),
      'peer.service': text(metadata['peer.service']),
      'request.id': text(metadata['request.id']),
    });
  }

  activate<T>(span: TraceSpan, fn: () => T): T {
    // core hands back the spans this tracer started: any other has no context of ours to enter
    return span instanceof OtelSpan ? context.with(span.context, fn) : fn();
  }

  private start(name: string, kind: SpanKind, parent: Context, attributes: Record<string, string>): OtelSpan {
    const span = this.tracer.startSpan(name, { kind, attributes }, parent);
    return new OtelSpan(span, trace.setSpan(parent, span));
  }
}
