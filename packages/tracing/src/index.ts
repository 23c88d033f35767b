export { tracingModule, type TracingOptions } from './tracing.module';
export { OtelTracer, SPAN_METADATA_KEY, type Propagator } from './otel-tracer';
