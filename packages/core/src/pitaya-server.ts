import type { Container } from 'inversify';
import type { RpcOptions } from './cluster/rpc-service';
import type { NoAppKeys, PitayaConfig } from './config/config-loader';
import type { ConfigSchema } from './config/config-schema';
import type { GroupService } from './groups/group-service';
import type { LocalHandlers } from './handler/handler-service';
import type { LocalRemotes } from './handler/remote-service';
import type { Logger } from './logging/logger';
import type { Module } from './modules/module';
import type { Acceptor } from './net/acceptor';
import type { RoutingFunction } from './rpc/router';
import type { ServerInfo } from './rpc/service-discovery';
import type { SessionPool } from './session/session-pool';

/**
 * A pitaya-ts server as its handlers, remotes and providers see it (`@inject(TOKENS.App)`); made
 * by `bootstrap()`. Here, apart from the class, so that what the tokens name depends on no wiring.
 */
export interface PitayaServer<A extends ConfigSchema = NoAppKeys> {
  readonly container: Container;
  readonly server: ServerInfo;
  /** Pitaya's keys and the application's (`bootstrap({ configSchema })`), typed. */
  readonly config: PitayaConfig<A>;
  readonly logger: Logger;
  /** This frontend's sessions. */
  readonly sessions: SessionPool;
  readonly groups: GroupService;
  readonly running: boolean;
  /** The acceptors, to read the ports they listen on. */
  readonly acceptors: Acceptor[];
  /** A registered module, by name; `module<Sidecar>('sidecar')` names the class registered. */
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the public typed lookup
  module<T extends Module = Module>(name: string): T | undefined;
  /** Routes messages for another server type (cluster mode): a custom routing function. */
  addRoute(serverType: string, fn: RoutingFunction): void;
  /** Runs this server's handler for a route on a given session (what a forwarded message needs). */
  handlers(): LocalHandlers;
  /** Runs this server's remotes, with values or with an RPC's bytes. */
  remotes(): LocalRemotes;
  start(): Promise<void>;
  /**
   * Graceful stop, dropping nothing it read: stop accepting, optionally drain sessions, stop
   * reading from clients, beforeShutdown hooks, answer what was read and close each connection
   * after its answers (its session's callbacks run), leave the cluster answering the RPCs received,
   * shutdown hooks, providers. `pitaya.shutdown.timeout` bounds each wait for handlers.
   */
  stop(): Promise<void>;
  /** Pushes to users by uid; resolves with the uids that could not be reached. */
  pushToUsers(route: string, body: unknown, uids: string[], frontendType?: string): Promise<string[]>;
  /** Kicks users by uid; resolves with the uids that could not be kicked. */
  kickUsers(uids: string[], reason?: string, frontendType?: string): Promise<string[]>;
  /** Calls a remote `serverType.remote.method` on a server of that type (the router picks which). */
  rpc<T = unknown>(route: string, arg: unknown, options?: RpcOptions): Promise<T>;
  /**
   * Calls a remote on one server, by id. The argument and the result travel as protobuf when
   * `types` names them, as JSON otherwise, and as they are when they are bytes.
   */
  rpcTo<T = unknown>(serverId: string, route: string, arg: unknown, options?: RpcOptions): Promise<T>;
}
