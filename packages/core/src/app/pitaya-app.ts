import type { Container, Newable } from 'inversify';
import type { ConnectionManager } from '../agent/connection-manager';
import type { NoAppKeys, PitayaConfig } from '../config/config-loader';
import type { ConfigSchema } from '../config/config-schema';
import { HandlerService } from '../handler/handler-service';
import { MessageProcessor, type Forwarder } from '../dispatch/message-processor';
import { ErrorCode, PitayaError } from '../errors/pitaya-error';
import type { GroupService } from '../groups/group-service';
import type { Logger } from '../logging/logger';
import type { Module } from '../modules/module';
import { ModuleRegistry } from '../modules/module-registry';
import type { Acceptor } from '../net/acceptor';
import { scanComponents, type ScannedComponent } from '../routing/component-scanner';
import { RouteParser } from '../routing/route';
import { RouteRegistry } from '../routing/route-registry';
import { RemoteService } from '../handler/remote-service';
import { RpcCodec } from '../serialize/rpc-codec';
import type { RpcCaller } from '../cluster/rpc-caller';
import { SysRemote } from '../cluster/sys-remote';
import { leaveCluster, startCluster, stopRpcClient } from './cluster-wiring';
import { acceptorSettings, createConnections } from './connections-wiring';
import { routeAndCall, type RoutingFunction } from '../rpc/router';
import type { ServerInfo } from '../rpc/service-discovery';
import type { SessionPool } from '../session/session-pool';
import { enforceUniqueSessions } from '../session/unique-session';
import type { PitayaServer, RpcOptions } from '../pitaya-server';
import { TOKENS } from '../tokens';
import { runHook } from './lifecycle';

export interface AppOptions {
  handlers: Newable<object>[];
  remotes: Newable<object>[];
  /** Stop gracefully on SIGTERM and SIGINT (default true). */
  handleSignals: boolean;
}

type State = 'created' | 'starting' | 'running' | 'stopping' | 'stopped';

/** A pitaya-ts server: made by `bootstrap()`, started with `start()`. */
export class PitayaApp<A extends ConfigSchema = NoAppKeys> implements PitayaServer<A> {
  private state: State = 'created';
  private components: ScannedComponent[] = [];
  private modules: ModuleRegistry | undefined;
  private connections: ConnectionManager | undefined;
  private routes: RouteParser;
  private remoteService: RemoteService | undefined;
  private handlerService: HandlerService | undefined;
  private forwarder: Forwarder | undefined;
  private caller: RpcCaller | undefined;
  private rpcCodec: RpcCodec | undefined;
  private readonly onSignal = (signal: string) => {
    this.logger.info({ signal }, 'shutting down');
    this.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        this.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };

  constructor(
    readonly container: Container,
    private readonly options: AppOptions,
  ) {
    this.routes = new RouteParser(this.server.type);
  }

  get server(): ServerInfo {
    return this.container.get(TOKENS.ServerInfo);
  }

  /** Pitaya's keys and the application's (`bootstrap({ configSchema })`), typed. */
  get config(): PitayaConfig<A> {
    return this.container.get(TOKENS.Config) as PitayaConfig<A>;
  }

  get logger(): Logger {
    return this.container.get(TOKENS.Logger);
  }

  /** This frontend's sessions. */
  get sessions(): SessionPool {
    return this.container.get(TOKENS.SessionPool);
  }

  get groups(): GroupService {
    return this.container.get(TOKENS.GroupService);
  }

  get running(): boolean {
    return this.state === 'running';
  }

  /** The acceptors, to read the ports they listen on. */
  get acceptors(): Acceptor[] {
    return this.container.get(TOKENS.Acceptors);
  }

  /** A registered module, by name. */
  module<T extends Module = Module>(name: string): T | undefined {
    return this.modules?.get<T>(name);
  }

  /** Routes messages for another server type (cluster mode): a custom routing function. */
  addRoute(serverType: string, fn: RoutingFunction): void {
    this.container.get(TOKENS.Router).addRoute(serverType, fn);
  }

  /** Runs this server's handler for a route on a given session (what a forwarded message needs). */
  handlers(): HandlerService {
    if (!this.handlerService) throw new Error('the server is not started');
    return this.handlerService;
  }

  remotes(): RemoteService {
    if (!this.remoteService) throw new Error('the server is not started');
    return this.remoteService;
  }

  async start(): Promise<void> {
    if (this.state !== 'created') throw new Error(`cannot start a server that is ${this.state}`);
    this.state = 'starting';
    const c = this.container;
    const config = this.config;
    const logger = this.logger;
    const serializer = c.get(TOKENS.Serializer);

    const pipelines = c.get(TOKENS.GlobalPipelines);
    const scan = {
      globalBefore: pipelines.before,
      globalAfter: pipelines.after,
      validation: config.get('pitaya.defaultpipelines.structvalidation.enabled'),
    };
    const handlers = scanComponents(c, this.options.handlers, 'handler', scan);
    // frontends answer Pitaya's sys remotes: backends bind, update and kick sessions through them
    const remoteClasses = this.server.frontend ? [SysRemote, ...this.options.remotes] : this.options.remotes;
    const remotes = scanComponents(c, remoteClasses, 'remote', { ...scan, globalBefore: [], globalAfter: [] });
    this.components = [...handlers, ...remotes];
    const registry = new RouteRegistry(handlers, remotes);
    this.handlerService = new HandlerService(registry, serializer);
    this.rpcCodec = new RpcCodec(
      config.get('pitaya.serializer.protobuf.files'),
      config.get('pitaya.serializer.json.maxdepth'),
    );
    this.remoteService = new RemoteService(registry, this.rpcCodec);
    this.modules = new ModuleRegistry(c.get(TOKENS.Modules));

    const pool = this.sessions;
    if (config.get('pitaya.session.unique')) enforceUniqueSessions(pool);

    const instances = this.components.map((component) => component.instance);
    const modules = this.modules.all();
    await runHook(modules, 'init', logger);
    await runHook(instances, 'init', logger);

    const reporter = c.get(TOKENS.MetricsReporter);
    await reporter.start?.();
    await this.groups.start?.();
    const cluster = await startCluster(c, {
      routes: this.routes,
      handlers: this.handlerService,
      remotes: () => this.remotes(),
      timeoutMs: config.get('pitaya.cluster.rpc.client.nats.requesttimeout'),
      logger: logger.child({ component: 'cluster' }),
      onFatal: (err) => {
        logger.error({ err }, 'lost the cluster registration: shutting down');
        void this.stop().finally(() => {
          if (this.options.handleSignals) process.exit(1);
        });
      },
    });
    this.caller = cluster.caller;
    this.forwarder = cluster.forwarder;

    await runHook(modules, 'afterInit', logger);
    await runHook(instances, 'afterInit', logger);

    if (this.server.frontend) await this.startConnections();
    if (this.options.handleSignals) {
      process.once('SIGTERM', this.onSignal);
      process.once('SIGINT', this.onSignal);
    }
    this.state = 'running';
    // routes as clients and callers name them: chat.room.join, not room.join
    const full = (keys: Iterable<string>) => [...keys].map((key) => `${this.server.type}.${key}`);
    logger.info({ routes: full(registry.handlers.keys()), remotes: full(registry.remotes.keys()) }, 'server started');
  }

  private async startConnections(): Promise<void> {
    const logger = this.logger.child({ component: 'connections' });
    const processor = new MessageProcessor(
      this.server.type,
      this.routes,
      this.handlerService!,
      this.forwarder,
      this.container.get(TOKENS.MetricsReporter),
      logger,
      this.container.get(TOKENS.Tracer),
    );
    // kept before it starts: a start that fails half-way is undone by stop()
    this.connections = createConnections(this.container, processor.process, logger);
    await this.connections.start(acceptorSettings(this.config));
  }

  /**
   * Graceful stop, dropping nothing it read: stop accepting, optionally drain sessions, stop
   * reading from clients, beforeShutdown hooks, answer what was read and close each connection
   * after its answers (its session's callbacks run), leave the cluster answering the RPCs received,
   * shutdown hooks, providers. `pitaya.shutdown.timeout` bounds each wait for handlers.
   */
  async stop(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping') return;
    if (this.state === 'created') {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopping';
    process.off('SIGTERM', this.onSignal);
    process.off('SIGINT', this.onSignal);
    const c = this.container;
    const config = this.config;
    const logger = this.logger;
    const instances = this.components.map((component) => component.instance);
    const modules = this.modules?.all() ?? [];
    const timeoutMs = config.get('pitaya.shutdown.timeout');

    await this.connections?.stopAccepting();
    if (config.get('pitaya.session.drain.enabled')) await this.drain();
    this.connections?.stopReading();
    await runHook(instances, 'beforeShutdown', logger);
    await runHook(modules, 'beforeShutdown', logger);
    await this.connections?.closeAll('server shutting down', timeoutMs);
    await leaveCluster(c, timeoutMs);
    await runHook(instances, 'shutdown', logger);
    await runHook(modules, 'shutdown', logger);
    this.caller?.stop();
    await stopRpcClient(c);
    await this.groups.stop?.();
    await c.get(TOKENS.MetricsReporter).stop?.();
    this.state = 'stopped';
    logger.info('server stopped');
  }

  private async drain(): Promise<void> {
    const timeout = this.config.get('pitaya.session.drain.timeout');
    const period = this.config.get('pitaya.session.drain.period');
    const deadline = Date.now() + timeout;
    while (this.sessions.count > 0 && Date.now() < deadline) {
      this.logger.info({ sessions: this.sessions.count }, 'draining sessions');
      await new Promise((resolve) => setTimeout(resolve, Math.min(period, Math.max(0, deadline - Date.now()))));
    }
  }

  /** Pushes to users by uid; resolves with the uids that could not be reached. */
  pushToUsers(route: string, body: unknown, uids: string[], frontendType?: string): Promise<string[]> {
    return this.container.get(TOKENS.UserMessenger).pushToUsers(route, body, uids, frontendType);
  }

  /** Kicks users by uid; resolves with the uids that could not be kicked. */
  kickUsers(uids: string[], reason?: string, frontendType?: string): Promise<string[]> {
    return this.container.get(TOKENS.UserMessenger).kickUsers(uids, reason, frontendType);
  }

  /** Calls a remote `serverType.remote.method` on a server of that type (the router picks which). */
  async rpc<T = unknown>(route: string, arg: unknown, options: RpcOptions = {}): Promise<T> {
    const parsed = this.routes.parse(route);
    // a call to one's own type stays in the process when loopback is on (Pitaya v2)
    if (parsed.serverType === this.server.type && this.config.get('pitaya.cluster.rpc.server.loopback')) {
      return (await this.remotes().call(parsed, arg, options.metadata ?? {})) as T;
    }
    const body = arg instanceof Uint8Array ? arg : new Uint8Array(0);
    const router = this.container.get(TOKENS.Router);
    return routeAndCall(router, parsed.serverType, parsed.full, options.session, body, (server) =>
      this.rpcTo<T>(server.id, route, arg, options),
    );
  }

  /**
   * Calls a remote on one server, by id. The argument and the result travel as protobuf when
   * `types` names them, as JSON otherwise, and as they are when they are bytes.
   */
  async rpcTo<T = unknown>(serverId: string, route: string, arg: unknown, options: RpcOptions = {}): Promise<T> {
    const parsed = this.routes.parse(route);
    if (serverId === this.server.id) {
      return (await this.remotes().call(parsed, arg, options.metadata ?? {})) as T;
    }
    const server = this.container.get(TOKENS.ServiceDiscovery).getServer(serverId);
    if (!server)
      throw new PitayaError(ErrorCode.Internal, `no server ${serverId} in the cluster`, { server: serverId });
    if (!this.caller || !this.rpcCodec) throw new Error('the server is not started');
    const { types = {} } = options;
    const data = await this.caller.user(server, parsed.full, this.rpcCodec.encode(arg, types.request), {
      metadata: options.metadata,
      timeoutMs: options.timeout ?? this.config.get('pitaya.cluster.rpc.client.nats.requesttimeout'),
    });
    return (arg instanceof Uint8Array && !types.response ? data : this.rpcCodec.decode(data, types.response)) as T;
  }
}
