/** Metric names Pitaya reports (Prometheus namespace `pitaya`). */
export const Metric = {
  ResponseTime: 'handler_response_time_ns',
  HandlerDelay: 'handler_handler_delay_ns',
  ConnectedClients: 'acceptor_connected_clients',
  ExceededRateLimiting: 'acceptor_exceeded_rate_limiting',
  DroppedMessages: 'rpc_server_dropped_messages',
  AgentDroppedMessages: 'agent_dropped_messages',
  CountServers: 'service_discovery_count_servers',
  /** Bytes of the JavaScript heap in use (Pitaya's Go heap size). */
  HeapSize: 'sys_heapsize',
  /** Reliable RPC workers (`@pitaya-ts/worker`). */
  WorkerBusyWorkers: 'worker_pool_busy_workers',
  WorkerTotalWorkers: 'worker_pool_total_workers',
  WorkerJobsTotal: 'worker_worker_jobs_total',
  WorkerJobsRetry: 'worker_worker_jobs_retry_total',
  WorkerQueueSize: 'worker_worker_queue_size',
} as const;

export type Labels = Record<string, string>;

/**
 * Where metrics go (Pitaya's Reporter interface). Implementations: Prometheus, statsd, or several
 * at once; the default reports nothing and costs nothing.
 */
export interface MetricsReporter {
  /**
   * Capability: false when reports go nowhere, so the framework skips measuring (timers, labels)
   * altogether. Absent means true.
   */
  readonly enabled?: boolean;
  reportCount(metric: string, labels: Labels, count: number): void;
  reportGauge(metric: string, labels: Labels, value: number): void;
  reportSummary(metric: string, labels: Labels, value: number): void;
  reportHistogram(metric: string, labels: Labels, value: number): void;
  /** Starts whatever the reporter serves (an HTTP endpoint...). */
  start?(): Promise<void>;
  stop?(): Promise<void>;
}

export class NoopMetricsReporter implements MetricsReporter {
  readonly enabled = false;
  reportCount(): void {}
  reportGauge(): void {}
  reportSummary(): void {}
  reportHistogram(): void {}
}

/** Sends every report to each of several reporters. */
export class CompositeMetricsReporter implements MetricsReporter {
  readonly enabled: boolean;

  constructor(private readonly reporters: MetricsReporter[]) {
    this.enabled = reporters.some((reporter) => reporter.enabled !== false);
  }

  reportCount(metric: string, labels: Labels, count: number): void {
    for (const r of this.reporters) r.reportCount(metric, labels, count);
  }
  reportGauge(metric: string, labels: Labels, value: number): void {
    for (const r of this.reporters) r.reportGauge(metric, labels, value);
  }
  reportSummary(metric: string, labels: Labels, value: number): void {
    for (const r of this.reporters) r.reportSummary(metric, labels, value);
  }
  reportHistogram(metric: string, labels: Labels, value: number): void {
    for (const r of this.reporters) r.reportHistogram(metric, labels, value);
  }
  async start(): Promise<void> {
    for (const r of this.reporters) await r.start?.();
  }
  async stop(): Promise<void> {
    for (const r of this.reporters) await r.stop?.();
  }
}
