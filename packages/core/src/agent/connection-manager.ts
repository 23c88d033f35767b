import { heartbeatPacket } from '@pitaya-ts/protocol';
import type { Logger } from '../logging/logger';
import { Metric, type MetricsReporter } from '../metrics/metrics-reporter';
import type { Acceptor, AcceptorSettings } from '../net/acceptor';
import { settlesWithin } from '../util/within';
import { Agent, type AgentEnvironment } from './agent';

export interface ConnectionTimings {
  heartbeatMs: number;
}

/**
 * The frontend's connections: starts the acceptors, makes an agent per connection, and runs
 * one heartbeat ticker for all of them (not a timer per connection).
 */
export class ConnectionManager {
  readonly agents = new Set<Agent>();
  private ticker: ReturnType<typeof setInterval> | undefined;
  private lastTick = Date.now();
  private readonly heartbeat = heartbeatPacket();
  private closeWaiters: (() => void)[] = [];
  /** False once the server stops reading from its clients. */
  private reading = true;
  /** Sessions whose close callbacks are still running. */
  private readonly closing = new Set<Promise<void>>();
  /** A line per connection at debug level; looked up once, not per connection. */
  private readonly tracing: boolean;

  constructor(
    private readonly acceptors: Acceptor[],
    private readonly env: Omit<AgentEnvironment, 'onClosed'>,
    private readonly timings: ConnectionTimings,
    private readonly reporter: MetricsReporter,
    private readonly logger: Logger,
  ) {
    this.tracing = logger.isLevelEnabled('debug');
  }

  async start(settings: AcceptorSettings): Promise<void> {
    const env: AgentEnvironment = { ...this.env, onClosed: (agent) => this.onClosed(agent) };
    for (const acceptor of this.acceptors) {
      await acceptor.listen((connection) => {
        const agent = new Agent(connection, env);
        if (!this.reading) agent.stopReading(); // its upgrade completed as the server stopped
        this.agents.add(agent);
        this.reporter.reportGauge(Metric.ConnectedClients, {}, this.agents.size);
        if (this.tracing) {
          const { protocol } = acceptor;
          this.logger.debug({ session: agent.session.id, protocol, remote: connection.remoteAddress }, 'connection');
        }
      }, settings);
      this.logger.info({ protocol: acceptor.protocol, address: acceptor.address() }, 'acceptor listening');
      if (acceptor.hostDefaulted) {
        this.logger.warn(
          { protocol: acceptor.protocol, address: acceptor.address() },
          'listening on every network interface, as no host was given: other machines can connect. ' +
            "Give the acceptor host '127.0.0.1' to keep it to this machine, or '0.0.0.0' to mean it",
        );
      }
    }
    if (this.timings.heartbeatMs > 0) {
      this.lastTick = Date.now();
      this.ticker = setInterval(() => this.tick(), this.timings.heartbeatMs);
    }
  }

  private tick(): void {
    const now = Date.now();
    const { heartbeatMs } = this.timings;
    // timers run before pending reads: after a long stall of this process, judge nobody this turn;
    // once reading stopped, silence proves nothing either
    const judge = this.reading && now - this.lastTick < 1.5 * heartbeatMs;
    this.lastTick = now;
    for (const agent of this.agents) agent.tick(now, this.heartbeat, heartbeatMs, judge);
  }

  private onClosed(agent: Agent): void {
    if (!this.agents.delete(agent)) return;
    if (this.tracing) this.logger.debug({ session: agent.session.id, uid: agent.session.uid }, 'connection closed');
    this.reporter.reportGauge(Metric.ConnectedClients, {}, this.agents.size);
    const closing = this.env.pool.close(agent.session).finally(() => this.closing.delete(closing));
    this.closing.add(closing);
    if (this.agents.size === 0) for (const resolve of this.closeWaiters.splice(0)) resolve();
  }

  /** Stops accepting new connections; open ones stay. */
  async stopAccepting(): Promise<void> {
    for (const acceptor of this.acceptors) await acceptor.close();
  }

  /**
   * Stops reading from every connection: what clients send from now on stays unread (never half
   * read and dropped). Connections stay open, and what was read is still handled and answered.
   */
  stopReading(): void {
    this.reading = false;
    for (const agent of this.agents) agent.stopReading();
  }

  /**
   * Stops reading, waits (up to `timeoutMs`) for everything read to be answered, then closes every
   * connection after its answers (what is still unanswered gets PIT-503). Connections close together:
   * the handlers still running may push to any of them. Resolves once the sessions' close callbacks
   * have run.
   */
  async closeAll(reason: string, timeoutMs: number): Promise<void> {
    clearInterval(this.ticker);
    this.stopReading();
    await settlesWithin(this.env.dispatcher.idle(), timeoutMs);
    if (this.agents.size > 0) {
      const closed = new Promise<void>((resolve) => this.closeWaiters.push(resolve));
      let unanswered = 0;
      for (const agent of this.agents) unanswered += agent.shutdown(reason);
      if (unanswered > 0) this.logger.warn({ requests: unanswered }, 'shutdown timeout: requests answered PIT-503');
      await closed;
    }
    await Promise.all(this.closing);
  }
}
