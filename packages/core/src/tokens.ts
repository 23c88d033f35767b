import type { RouteDictionary } from '@pitaya-ts/protocol';
import type { ServiceIdentifier } from 'inversify';
import type { ConnectionManager } from './agent/connection-manager';
import type { HandshakeValidators } from './agent/handshake-validator';
import type { BackendSessionOps } from './cluster/backend-session';
import type { RpcCaller } from './cluster/rpc-caller';
import type { RpcService } from './cluster/rpc-service';
import type { PitayaConfig } from './config/config-loader';
import type { Dispatcher } from './dispatch/dispatcher';
import type { Forwarder, MessageProcessor } from './dispatch/message-processor';
import type { GroupService } from './groups/group-service';
import type { HandlerService } from './handler/handler-service';
import type { RemoteService } from './handler/remote-service';
import type { Logger } from './logging/logger';
import type { MetricsReporter } from './metrics/metrics-reporter';
import type { Module } from './modules/module';
import type { ModuleRegistry } from './modules/module-registry';
import type { PitayaServer } from './pitaya-server';
import type { Acceptor } from './net/acceptor';
import type { PipelineRef } from './pipeline/pipeline';
import type { BindingStorage } from './rpc/binding-storage';
import type { ScannedComponents } from './routing/component-scanner';
import type { RouteParser } from './routing/route';
import type { RouteRegistry } from './routing/route-registry';
import type { Router } from './rpc/router';
import type { RpcClient, RpcHandler, RpcServer } from './rpc/rpc-client';
import type { UnreachableServers } from './rpc/unreachable-servers';
import type { ServerInfo, ServiceDiscovery } from './rpc/service-discovery';
import type { OutboundEncoder } from './serialize/outbound';
import type { RpcCodec } from './serialize/rpc-codec';
import type { Serializer } from './serialize/serializer';
import type { SessionLifecycle, SessionPool } from './session/session-pool';
import type { Tracer } from './tracing/tracer';
import type { UserMessenger } from './session/user-messenger';

// Symbol.for: two copies of the package still agree on every token.
const token = <T>(name: string): ServiceIdentifier<T> => Symbol.for(`@pitaya-ts/core/${name}`);

/** Every swappable concern of a server, one token each. Rebind any of them before `start()`. */
export const TOKENS = {
  Config: token<PitayaConfig>('Config'),
  Logger: token<Logger>('Logger'),
  /** This server: id, type, frontend, metadata. */
  ServerInfo: token<ServerInfo>('ServerInfo'),
  Acceptors: token<Acceptor[]>('Acceptors'),
  HandshakeValidators: token<HandshakeValidators>('HandshakeValidators'),
  RouteDictionary: token<RouteDictionary>('RouteDictionary'),
  /** This frontend's sessions, as the application sees them (`app.sessions`). */
  SessionPool: token<SessionPool>('SessionPool'),
  /** The same sessions as the framework makes, binds and closes them. */
  SessionLifecycle: token<SessionLifecycle>('SessionLifecycle'),
  Dispatcher: token<Dispatcher>('Dispatcher'),
  Serializer: token<Serializer>('Serializer'),
  /** protobuf type of each push route (route → message name). */
  PushTypes: token<Record<string, string>>('PushTypes'),
  GlobalPipelines: token<{ before: PipelineRef[]; after: PipelineRef[] }>('GlobalPipelines'),
  GroupService: token<GroupService>('GroupService'),
  UserMessenger: token<UserMessenger>('UserMessenger'),
  Router: token<Router>('Router'),
  /** Servers found unreachable lately, shared by the router and the RPC calls. */
  UnreachableServers: token<UnreachableServers>('UnreachableServers'),
  RpcClient: token<RpcClient>('RpcClient'),
  RpcServer: token<RpcServer>('RpcServer'),
  ServiceDiscovery: token<ServiceDiscovery>('ServiceDiscovery'),
  /** Where users are connected, for RPC transports that need it (gRPC); none bound by default. */
  BindingStorage: token<BindingStorage>('BindingStorage'),
  MetricsReporter: token<MetricsReporter>('MetricsReporter'),
  /** Traces client messages and RPCs; off (and free) by default: `@pitaya-ts/tracing` turns it on. */
  Tracer: token<Tracer>('Tracer'),
  Modules: token<Module[]>('Modules'),
  /** The server itself: for handlers that make RPCs or push to users. */
  App: token<PitayaServer>('App'),

  // The server's own parts, built from the tokens above; resolved once, at start.
  /** Parses routes; `service.method` means this server's type. */
  Routes: token<RouteParser>('Routes'),
  /** The handler and remote classes, scanned: instances (for lifecycle hooks) and routes. */
  Components: token<ScannedComponents>('Components'),
  RouteRegistry: token<RouteRegistry>('RouteRegistry'),
  /** Runs this server's handlers, for local and forwarded client messages. */
  HandlerService: token<HandlerService>('HandlerService'),
  /** Runs this server's remotes, with values or with an RPC's bytes. */
  RemoteService: token<RemoteService>('RemoteService'),
  /** How RPC arguments and results travel (protobuf with @Proto types, else JSON). */
  RpcCodec: token<RpcCodec>('RpcCodec'),
  ModuleRegistry: token<ModuleRegistry>('ModuleRegistry'),
  /** Encodes Responses and Pushes for clients, with the route dictionary and compression. */
  OutboundEncoder: token<OutboundEncoder>('OutboundEncoder'),
  /** Handles one client message end to end: local handler or forward, answer, metrics. */
  MessageProcessor: token<MessageProcessor>('MessageProcessor'),
  /** The frontend's connections: acceptors, an agent per connection, heartbeats. */
  ConnectionManager: token<ConnectionManager>('ConnectionManager'),
  /** Makes RPCs (user and sys) as Pitaya does: metadata, deadlines, unreachable servers. */
  RpcCaller: token<RpcCaller>('RpcCaller'),
  /** `app.rpc()` and `app.rpcTo()`. */
  RpcService: token<RpcService>('RpcService'),
  /** Sends client messages for another server type on (cluster: a Sys RPC; standalone: PIT-404). */
  Forwarder: token<Forwarder>('Forwarder'),
  /** What this server does with what the cluster sends it (the RPC server's handler). */
  ClusterRequestHandler: token<RpcHandler>('ClusterRequestHandler'),
  /** What backend sessions ask of their frontend (bind, push the session, kick, push). */
  BackendSessionOps: token<BackendSessionOps>('BackendSessionOps'),
} as const;
