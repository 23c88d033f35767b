/**
 * `@pitaya-ts/core/provider`: what a provider of core's seams needs beyond the application's
 * API: Pitaya's wire messages, the default and in-process implementations of the tokens (to
 * extend, wrap or test against), and the types of the server's own parts. Applications import
 * `@pitaya-ts/core`; RPC, discovery, queue and tracing providers import this too.
 */
import 'reflect-metadata';

// Pitaya's cluster messages, as they travel (proto/pitaya.proto)
export * as protos from './wire/protos';
export type { BindMessage, PushMessage } from './wire/protos';
export { RpcMsgType, RpcType, type RpcRequest, type RpcResponse, type RpcSession } from './wire/rpc-messages';

// The cluster seams' other side and their defaults
export type { RpcHandler } from './rpc/rpc-client';
export { StandaloneRpcClient, StandaloneRpcServer } from './rpc/rpc-client';
export { StandaloneServiceDiscovery } from './rpc/service-discovery';
export { DefaultRouter, routeAndCall } from './rpc/router';
export { UnreachableServers } from './rpc/unreachable-servers';
export { MemoryCluster, MemoryRpcClient, MemoryRpcServer, MemoryServiceDiscovery } from './providers/memory-cluster';

// Sessions, groups and dispatch: the defaults, and what the framework does with sessions
export type { SessionLifecycle } from './session/session-pool';
export { MemorySessionPool } from './session/memory-session-pool';
export { FrontendSession, type SessionBinder, type SessionLink } from './session/frontend-session';
export { BackendSession, type BackendSessionOps } from './cluster/backend-session';
export { PushedSessions, takeForwardPlace, FORWARD_PLACE_KEY, type ForwardPlace } from './cluster/pushed-sessions';
export { SessionTurns, FORWARDS_METADATA_KEY, FORWARDS_IN_ORDER } from './cluster/session-turns';
export { MemoryGroupService } from './groups/memory-group-service';
export { DefaultUserMessenger } from './cluster/default-user-messenger';
export { OrderedDispatcher } from './dispatch/dispatcher';
export { LeakyBucket } from './net/rate-limiting-acceptor';

// The server's own parts, as TOKENS name them (rebind with care: they are the request pipeline)
export type {
  Forwarder,
  ForwardOrder,
  MessageProcessor,
  MessageSender,
  ProcessMessage,
} from './dispatch/message-processor';
export { SessionForwards } from './dispatch/session-forwards';
export { clusterForwarder, standaloneForwarder } from './cluster/cluster-forwarder';
export type { HandlerService } from './handler/handler-service';
export type { RemoteService } from './handler/remote-service';
export type { ConnectionManager } from './agent/connection-manager';
export type { RpcCaller, CallOptions, SysCallOptions } from './cluster/rpc-caller';
export type { RpcService } from './cluster/rpc-service';
export type { ModuleRegistry } from './modules/module-registry';
export type { RouteRegistry } from './routing/route-registry';
export type { RouteDescriptor, ScannedComponent, ScannedComponents } from './routing/component-scanner';
export type { RouteParser } from './routing/route';
export type { OutboundEncoder } from './serialize/outbound';
export type { RpcCodec } from './serialize/rpc-codec';

// Helpers providers share with core
export { settlesWithin } from './util/within';
