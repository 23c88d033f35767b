import type { PitayaError } from '../errors/pitaya-error';
import type { ServerInfo } from '../rpc/service-discovery';
import type { RpcRequest } from '../wire/rpc-messages';

/** A traced operation, ended once: with the error that failed it, whose PIT code marks the span. */
export interface TraceSpan {
  end(error?: PitayaError): void;
}

/** A client message as the frontend received it. */
export interface ClientMessageTrace {
  /** As the client sent it (it may name no route this cluster has). */
  route: string;
  type: 'request' | 'notify';
  uid: string | undefined;
}

/** An RPC this server sends. */
export interface RpcCallTrace {
  /** Names the span (`NATS RPC Call`): the RPC client's `transport`. */
  transport: string;
  target: ServerInfo;
  route: string;
}

/**
 * Where tracing plugs into core (`TOKENS.Tracer`): the frontend's handling of each client message,
 * each RPC sent, and each RPC received, as Pitaya traces them. Core calls nothing but `enabled`
 * while it is false, so the default costs nothing per message (`@pitaya-ts/tracing` implements it).
 */
export interface Tracer {
  readonly enabled: boolean;
  /** The frontend's handling of a client message; may add Pitaya's `request.id` to its metadata. */
  clientMessage(message: ClientMessageTrace, metadata: Record<string, unknown>): TraceSpan;
  /** An RPC sent: writes the trace context into the request's metadata (`otel-span`). */
  rpcCall(call: RpcCallTrace, metadata: Record<string, unknown>): TraceSpan;
  /** An RPC received: its span continues the trace of the request's `otel-span`. */
  rpcReceived(request: RpcRequest): TraceSpan;
  /** Runs `fn` with `span` active: what handlers and remotes trace, and the RPCs they make, are its children. */
  activate<T>(span: TraceSpan, fn: () => T): T;
}

const NO_SPAN: TraceSpan = { end: () => undefined };

/** Tracing off: the default. */
export const NO_TRACER: Tracer = {
  enabled: false,
  clientMessage: () => NO_SPAN,
  rpcCall: () => NO_SPAN,
  rpcReceived: () => NO_SPAN,
  activate: (_span, fn) => fn(),
};
