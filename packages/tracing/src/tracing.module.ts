import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { context, propagation, type TracerProvider } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { NO_TRACER, TOKENS, type Module } from '@pitaya-ts/core';
import { ContainerModule } from 'inversify';
import { tracesRequested } from './traces-requested';
import { OtelTracer } from './otel-tracer';

export interface TracingOptions {
  /**
   * Spans go to this provider (its processors, exporters and sampler) instead of the Node SDK's;
   * tracing is then on whatever the configuration says. Trace context travels as W3C `traceparent`.
   */
  tracerProvider?: TracerProvider;
  /** Env vars to read OTEL_TRACES_EXPORTER and OTEL_SDK_DISABLED from (process.env by default). */
  env?: NodeJS.ProcessEnv;
}

/** The instrumentation scope of the spans, as Go Pitaya names it. */
const SCOPE = 'pitaya';

/** Children of a handler's span need the active context to follow promises: only once tracing is on. */
let contextManager: AsyncLocalStorageContextManager | undefined;
function ensureContextManager(): void {
  if (contextManager) return;
  contextManager = new AsyncLocalStorageContextManager().enable();
  // false when the application registered one already: that one serves
  if (!context.setGlobalContextManager(contextManager)) contextManager.disable();
}

/**
 * OpenTelemetry traces of client messages and RPCs, as Pitaya v3 makes them:
 * `bootstrap({ providers: [tracingModule()] })`. On with `pitaya.tracing.enabled`, or when the
 * OTEL_* env vars name a traces exporter (`OTEL_TRACES_EXPORTER=otlp`), through the Node SDK; or
 * always, to a TracerProvider of one's own. Off, it binds nothing: core's tracer stays free.
 */
export function tracingModule(options: TracingOptions = {}): ContainerModule {
  return new ContainerModule((load) => {
    let release: (() => Promise<void>) | undefined;
    load.rebind(TOKENS.Tracer).toDynamicValue((ctx) => {
      const self = ctx.get(TOKENS.ServerInfo);
      if (options.tracerProvider) {
        ensureContextManager();
        const propagator = new W3CTraceContextPropagator();
        return new OtelTracer(self, options.tracerProvider.getTracer(SCOPE), propagator);
      }
      const on = ctx.get(TOKENS.Config).get('pitaya.tracing.enabled') || tracesRequested(options.env ?? process.env);
      if (!on) return NO_TRACER;
      // the Node SDK and its exporters (~25 MB, a second to load) are loaded only once tracing is on
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a synchronous load, in a DI factory
      const { acquireNodeSdk } = require('./node-sdk') as typeof import('./node-sdk');
      const sdk = acquireNodeSdk(self);
      release = sdk.release;
      return new OtelTracer(self, sdk.tracerProvider.getTracer(SCOPE), propagation);
    });
    // the spans of a stopping server leave before it exits
    const flush: Module = { name: 'tracing', shutdown: () => release?.() };
    load.onActivation(TOKENS.Modules, (_ctx, modules) => [...modules, flush]);
  });
}
