import 'reflect-metadata';

export { bootstrap, type BootstrapOptions } from './app/bootstrap';
export { PitayaApp } from './app/pitaya-app';
export type { PitayaServer } from './pitaya-server';
export type { RpcOptions } from './cluster/rpc-service';
export { TOKENS } from './tokens';

export {
  After,
  Before,
  Handler,
  Notify,
  Proto,
  Remote,
  Request,
  Route,
  type BodyOptions,
  type StepsDecorator,
} from './decorators/component.decorators';
export type { ComponentOptions } from './decorators/component-metadata';
export type { AfterStep, BeforeStep, PipelineRef } from './pipeline/pipeline';
export type { HandlerContext, RemoteContext, StepContext } from './pipeline/context';
export { ValidationStep } from './pipeline/validation.step';

export { ErrorCode, PitayaError, asPitayaError, errorMessage, type WireError } from './errors/pitaya-error';
export { BootError } from './errors/boot-error';

export {
  ConfigError,
  PitayaConfig,
  loadConfig,
  envName,
  type ConfigSources,
  type NoAppKeys,
} from './config/config-loader';
export {
  CONFIG_SCHEMA,
  configKey,
  InvalidValue,
  type ConfigKey,
  type ConfigSchema,
  type ConfigValue,
  type CustomMetrics,
  type KeySpec,
} from './config/config-schema';
export { parseDuration, formatDuration } from './config/duration';

export type { Session } from './session/session';
export type { FrontendSession } from './session/frontend-session';
export type { SessionPool, SessionCallback } from './session/session-pool';
export type { PreparedPush } from './serialize/outbound';
export type { UserMessenger } from './session/user-messenger';

export type { Acceptor, AcceptorSettings, ConnectionHandlers, PlayerConnection } from './net/acceptor';
export { TcpAcceptor, type TcpAcceptorOptions } from './net/tcp-acceptor';
export type { TlsFiles } from './net/listen';
export { WsAcceptor, type WsAcceptorOptions } from './net/ws-acceptor';
export { RateLimitingAcceptor, type RateLimit } from './net/rate-limiting-acceptor';
export { AcceptorWrapper, WrappedConnection } from './net/acceptor-wrapper';
export type { HandshakeValidator } from './agent/handshake-validator';

export type { Dispatcher, Job } from './dispatch/dispatcher';

export type { GroupService } from './groups/group-service';

export type { Serializer } from './serialize/serializer';
export { JsonSerializer } from './serialize/json-serializer';
export { ProtobufSerializer } from './serialize/protobuf-serializer';

export {
  Metric,
  NoopMetricsReporter,
  CompositeMetricsReporter,
  type Labels,
  type MetricsReporter,
} from './metrics/metrics-reporter';
export { addMetricTags } from './metrics/metric-tags';
export { PrometheusReporter, type PrometheusReporterOptions } from './metrics/prometheus-reporter';
export { StatsdReporter, type StatsdReporterOptions } from './metrics/statsd-reporter';

export { NO_TRACER, type ClientMessageTrace, type RpcCallTrace, type TraceSpan, type Tracer } from './tracing/tracer';

export type { Module } from './modules/module';
export { BinaryModule, type BinaryModuleOptions } from './modules/binary-module';

export type { Logger } from './logging/logger';
export { createLogger, type LogFormat } from './logging/logger';

export type { ServerInfo, ServiceDiscovery, ServiceDiscoveryListener } from './rpc/service-discovery';
export type { Router, RoutingContext, RoutingFunction } from './rpc/router';
export type { ParsedRoute } from './routing/route';
export type { LocalHandlers } from './handler/handler-service';
export type { LocalRemotes } from './handler/remote-service';
export type { RpcClient, RpcServer } from './rpc/rpc-client';
export type { BindingStorage } from './rpc/binding-storage';
