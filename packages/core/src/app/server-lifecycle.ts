import type { Container, Newable } from 'inversify';
import { enforceUniqueSessions } from '../session/unique-session';
import { TOKENS } from '../tokens';
import { leaveCluster, startCluster, stopRpcClient } from './cluster-wiring';
import { drainSessions, runHook } from './lifecycle';
import { acceptorSettings } from './modules/connections.module';

export interface AppOptions {
  handlers: Newable<object>[];
  remotes: Newable<object>[];
  /** Stop gracefully on SIGTERM and SIGINT (default true). */
  handleSignals: boolean;
}

export type State = 'created' | 'starting' | 'running' | 'stopping' | 'stopped';
/** How far a start went: a start that fails half-way is undone by stop() as far as it went. */
type Stage = 'scanned' | 'cluster' | 'connections';

/**
 * Starts and stops a server's parts, resolved from its container, in their order: the order of
 * the hooks, the cluster and the connections is what the graceful stop relies on.
 */
export class ServerLifecycle {
  state: State = 'created';
  private readonly reached = new Set<Stage>();
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
    private readonly container: Container,
    private readonly options: AppOptions,
  ) {}

  /** The handler and remote classes are scanned: the server's parts can be resolved. */
  get scanned(): boolean {
    return this.reached.has('scanned');
  }

  private get logger() {
    return this.container.get(TOKENS.Logger);
  }

  async start(): Promise<void> {
    if (this.state !== 'created') throw new Error(`cannot start a server that is ${this.state}`);
    this.state = 'starting';
    const c = this.container;
    const config = c.get(TOKENS.Config);
    const logger = this.logger;
    const registry = c.get(TOKENS.RouteRegistry); // scans the handler and remote classes
    const modules = c.get(TOKENS.ModuleRegistry).all();
    this.reached.add('scanned');
    if (config.get('pitaya.session.unique')) enforceUniqueSessions(c.get(TOKENS.SessionPool));
    const instances = this.instances();
    await runHook(modules, 'init', logger);
    await runHook(instances, 'init', logger);
    await c.get(TOKENS.MetricsReporter).start?.();
    await c.get(TOKENS.GroupService).start?.();
    this.reached.add('cluster');
    await startCluster(c, (err) => {
      logger.error({ err }, 'lost the cluster registration: shutting down');
      void this.stop().finally(() => {
        if (this.options.handleSignals) process.exit(1);
      });
    });
    await runHook(modules, 'afterInit', logger);
    await runHook(instances, 'afterInit', logger);
    if (c.get(TOKENS.ServerInfo).frontend) {
      // reached before they start: a start that fails half-way is undone by stop()
      this.reached.add('connections');
      await c.get(TOKENS.ConnectionManager).start(acceptorSettings(config));
    }
    if (this.options.handleSignals) {
      process.once('SIGTERM', this.onSignal);
      process.once('SIGINT', this.onSignal);
    }
    this.state = 'running';
    // routes as clients and callers name them: chat.room.join, not room.join
    const { type } = c.get(TOKENS.ServerInfo);
    const full = (keys: Iterable<string>) => [...keys].map((key) => `${type}.${key}`);
    logger.info({ routes: full(registry.handlers.keys()), remotes: full(registry.remotes.keys()) }, 'server started');
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
    const config = c.get(TOKENS.Config);
    const logger = this.logger;
    const instances = this.scanned ? this.instances() : [];
    const modules = this.scanned ? c.get(TOKENS.ModuleRegistry).all() : [];
    const connections = this.reached.has('connections') ? c.get(TOKENS.ConnectionManager) : undefined;
    const timeoutMs = config.get('pitaya.shutdown.timeout');

    await connections?.stopAccepting();
    if (config.get('pitaya.session.drain.enabled')) await drainSessions(c.get(TOKENS.SessionPool), config, logger);
    connections?.stopReading();
    await runHook(instances, 'beforeShutdown', logger);
    await runHook(modules, 'beforeShutdown', logger);
    await connections?.closeAll('server shutting down', timeoutMs);
    await leaveCluster(c, timeoutMs);
    await runHook(instances, 'shutdown', logger);
    await runHook(modules, 'shutdown', logger);
    if (this.reached.has('cluster')) c.get(TOKENS.RpcCaller).stop();
    await stopRpcClient(c);
    await c.get(TOKENS.GroupService).stop?.();
    await c.get(TOKENS.MetricsReporter).stop?.();
    this.state = 'stopped';
    logger.info('server stopped');
  }

  /** The handler and remote instances, for their lifecycle hooks. */
  private instances(): object[] {
    const { handlers, remotes } = this.container.get(TOKENS.Components);
    return [...handlers, ...remotes].map((component) => component.instance);
  }
}
