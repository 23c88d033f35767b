import 'reflect-metadata';

export { bootstrap, type BootstrapOptions } from './app/bootstrap';
export { PitayaApp } from './app/pitaya-app';
export type { PitayaServer, RpcOptions } from './pitaya-server';
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
export { FrontendSession, type SessionLink } from './session/frontend-session';
export type { SessionPool, SessionCallback } from './session/session-pool';
export { MemorySessionPool } from './session/memory-session-pool';
export type { UserMessenger } from './session/user-messenger';
export { DefaultUserMessenger } from './cluster/default-user-messenger';

export type { Acceptor, AcceptorSettings, ConnectionHandlers, PlayerConnection } from './net/acceptor';
export { TcpAcceptor, type TcpAcceptorOptions } from './net/tcp-acceptor';
export type { TlsFiles } from './net/listen';
export { WsAcceptor, type WsAcceptorOptions } from './net/ws-acceptor';
export { RateLimitingAcceptor, LeakyBucket, type RateLimit } from './net/rate-limiting-acceptor';
export { AcceptorWrapper, WrappedConnection } from './net/acceptor-wrapper';
export type { HandshakeValidator } from './agent/handshake-validator';

export type { Dispatcher, Job } from './dispatch/dispatcher';
export { OrderedDispatcher } from './dispatch/dispatcher';

export type { GroupService } from './groups/group-service';
export { MemoryGroupService } from './groups/memory-group-service';

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
export { StandaloneServiceDiscovery } from './rpc/service-discovery';
export type { Router, RoutingContext, RoutingFunction } from './rpc/router';
export { DefaultRouter, routeAndCall } from './rpc/router';
export { UnreachableServers } from './rpc/unreachable-servers';
export type { RpcClient, RpcServer } from './rpc/rpc-client';
export type { RpcRequest, RpcResponse, RpcSession } from './wire/rpc-messages';

export { MemoryCluster, MemoryRpcClient, MemoryRpcServer, MemoryServiceDiscovery } from './cluster/memory-cluster';
export { BackendSession, type BackendSessionOps } from './cluster/backend-session';
export * as protos from './wire/protos';
export type { BindMessage, PushMessage } from './wire/protos';
export type { RpcHandler } from './rpc/rpc-client';
export { StandaloneRpcClient, StandaloneRpcServer } from './rpc/rpc-client';
export { RpcType, RpcMsgType } from './wire/rpc-messages';
export type { Forwarder } from './dispatch/message-processor';
export { settlesWithin } from './util/within';
