import type { RouteDictionary } from '@pitaya-ts/protocol';
import type { ServiceIdentifier } from 'inversify';
import type { HandshakeValidators } from './agent/handshake-validator';
import type { PitayaConfig } from './config/config-loader';
import type { Dispatcher } from './dispatch/dispatcher';
import type { GroupService } from './groups/group-service';
import type { Logger } from './logging/logger';
import type { MetricsReporter } from './metrics/metrics-reporter';
import type { Module } from './modules/module';
import type { PitayaServer } from './pitaya-server';
import type { Acceptor } from './net/acceptor';
import type { PipelineRef } from './pipeline/pipeline';
import type { Router } from './rpc/router';
import type { RpcClient, RpcServer } from './rpc/rpc-client';
import type { UnreachableServers } from './rpc/unreachable-servers';
import type { ServerInfo, ServiceDiscovery } from './rpc/service-discovery';
import type { Serializer } from './serialize/serializer';
import type { SessionPool } from './session/session-pool';
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
  SessionPool: token<SessionPool>('SessionPool'),
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
  MetricsReporter: token<MetricsReporter>('MetricsReporter'),
  /** Traces client messages and RPCs; off (and free) by default: `@pitaya-ts/tracing` turns it on. */
  Tracer: token<Tracer>('Tracer'),
  Modules: token<Module[]>('Modules'),
  /** The server itself: for handlers that make RPCs or push to users. */
  App: token<PitayaServer>('App'),
} as const;
