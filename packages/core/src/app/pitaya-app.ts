import type { Container, ServiceIdentifier } from 'inversify';
import type { RpcOptions } from '../cluster/rpc-service';
import type { NoAppKeys, PitayaConfig } from '../config/config-loader';
import type { ConfigSchema } from '../config/config-schema';
import type { GroupService } from '../groups/group-service';
import type { LocalHandlers } from '../handler/handler-service';
import type { LocalRemotes } from '../handler/remote-service';
import type { Logger } from '../logging/logger';
import type { Module } from '../modules/module';
import type { Acceptor } from '../net/acceptor';
import type { PitayaServer } from '../pitaya-server';
import type { RoutingFunction } from '../rpc/router';
import type { ServerInfo } from '../rpc/service-discovery';
import type { SessionPool } from '../session/session-pool';
import { TOKENS } from '../tokens';
import { once } from '../util/once';
import { ServerLifecycle, type AppOptions } from './server-lifecycle';

/**
 * A pitaya-ts server: made by `bootstrap()`, started with `start()`. A facade: its parts are
 * resolved from its container at start (rebind any token before), and its lifecycle runs them.
 */
export class PitayaApp<A extends ConfigSchema = NoAppKeys> implements PitayaServer<A> {
  private readonly lifecycle: ServerLifecycle;
  private readonly rpcService = once(() => this.part(TOKENS.RpcService));

  constructor(
    readonly container: Container,
    options: AppOptions,
  ) {
    this.lifecycle = new ServerLifecycle(container, options);
  }

  get server(): ServerInfo {
    return this.container.get(TOKENS.ServerInfo);
  }

  get config(): PitayaConfig<A> {
    return this.container.get(TOKENS.Config) as PitayaConfig<A>;
  }

  get logger(): Logger {
    return this.container.get(TOKENS.Logger);
  }

  get sessions(): SessionPool {
    return this.container.get(TOKENS.SessionPool);
  }

  get groups(): GroupService {
    return this.container.get(TOKENS.GroupService);
  }

  get running(): boolean {
    return this.lifecycle.state === 'running';
  }

  get acceptors(): Acceptor[] {
    return this.container.get(TOKENS.Acceptors);
  }

  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- PitayaServer's typed lookup
  module<T extends Module = Module>(name: string): T | undefined {
    return this.lifecycle.scanned ? this.container.get(TOKENS.ModuleRegistry).get<T>(name) : undefined;
  }

  addRoute(serverType: string, fn: RoutingFunction): void {
    this.container.get(TOKENS.Router).addRoute(serverType, fn);
  }

  handlers(): LocalHandlers {
    return this.part(TOKENS.HandlerService);
  }

  remotes(): LocalRemotes {
    return this.part(TOKENS.RemoteService);
  }

  start(): Promise<void> {
    return this.lifecycle.start();
  }

  stop(): Promise<void> {
    return this.lifecycle.stop();
  }

  pushToUsers(route: string, body: unknown, uids: string[], frontendType?: string): Promise<string[]> {
    return this.container.get(TOKENS.UserMessenger).pushToUsers(route, body, uids, frontendType);
  }

  kickUsers(uids: string[], reason?: string, frontendType?: string): Promise<string[]> {
    return this.container.get(TOKENS.UserMessenger).kickUsers(uids, reason, frontendType);
  }

  async rpc<T = unknown>(route: string, arg: unknown, options: RpcOptions = {}): Promise<T> {
    return this.rpcService().rpc<T>(route, arg, options);
  }

  async rpcTo<T = unknown>(serverId: string, route: string, arg: unknown, options: RpcOptions = {}): Promise<T> {
    return this.rpcService().rpcTo<T>(serverId, route, arg, options);
  }

  /** A part of the started server. */
  private part<T>(token: ServiceIdentifier<T>): T {
    if (!this.lifecycle.scanned) throw new Error('the server is not started');
    return this.container.get(token);
  }
}
