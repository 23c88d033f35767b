import * as http from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';
import { errorMessage } from '@pitaya-ts/protocol';
import type { CustomMetrics } from '../config/config-schema';
import { addressOf, listen } from '../net/listen';
import { Metric, type Labels, type MetricsReporter } from './metrics-reporter';

export interface PrometheusReporterOptions {
  /** Port of the /metrics endpoint; 0 picks a free one. */
  port: number;
  host?: string;
  game: string;
  serverType: string;
  constantLabels?: Record<string, string>;
  /**
   * Labels of every built-in metric beyond its own, with their default values; a report (a
   * request's metric tags) may give others. Tags a metric does not declare are left out.
   */
  additionalLabels?: Record<string, string>;
  custom?: CustomMetrics;
}

type AnyMetric = Counter | Gauge | Summary | Histogram;

const NAMESPACE = 'pitaya';
const QUANTILES = { percentiles: [0.5, 0.9, 0.99], maxAgeSeconds: 600, ageBuckets: 5 };

/** Pitaya's metrics under Pitaya's names, plus the application's custom ones, on /metrics. */
export class PrometheusReporter implements MetricsReporter {
  readonly registry = new Registry();
  private readonly metrics = new Map<string, AnyMetric>();
  /** The label names of each built-in metric: its own, then the additional ones. */
  private readonly builtinLabels = new Map<string, readonly string[]>();
  private readonly defaults: Record<string, string>;
  private server: http.Server | undefined;

  constructor(private readonly options: PrometheusReporterOptions) {
    this.registry.setDefaultLabels({ game: options.game, serverType: options.serverType, ...options.constantLabels });
    collectDefaultMetrics({ register: this.registry, prefix: `${NAMESPACE}_` });
    const registers = [this.registry];
    const add = (key: string, metric: AnyMetric) => this.metrics.set(key, metric);
    this.defaults = options.additionalLabels ?? {};
    const additional = Object.keys(this.defaults);
    const labelNames = (key: string, own: string[] = []) => {
      const names = [...own, ...additional];
      this.builtinLabels.set(key, names);
      return names;
    };
    add(
      Metric.ResponseTime,
      new Summary({
        name: `${NAMESPACE}_${Metric.ResponseTime}`,
        help: 'time to handle a request, ns',
        labelNames: labelNames(Metric.ResponseTime, ['route', 'status', 'type', 'code']),
        registers,
        ...QUANTILES,
      }),
    );
    add(
      Metric.HandlerDelay,
      new Summary({
        name: `${NAMESPACE}_${Metric.HandlerDelay}`,
        help: 'time a message waited for a handler slot, ns',
        labelNames: labelNames(Metric.HandlerDelay, ['route', 'type']),
        registers,
        ...QUANTILES,
      }),
    );
    add(
      Metric.ConnectedClients,
      new Gauge({
        name: `${NAMESPACE}_${Metric.ConnectedClients}`,
        help: 'clients connected',
        labelNames: labelNames(Metric.ConnectedClients),
        registers,
      }),
    );
    add(
      Metric.ExceededRateLimiting,
      new Counter({
        name: `${NAMESPACE}_${Metric.ExceededRateLimiting}`,
        help: 'client messages dropped by rate limiting',
        labelNames: labelNames(Metric.ExceededRateLimiting),
        registers,
      }),
    );
    add(
      Metric.DroppedMessages,
      new Counter({
        name: `${NAMESPACE}_${Metric.DroppedMessages}`,
        help: 'RPCs dropped for lack of room',
        labelNames: labelNames(Metric.DroppedMessages),
        registers,
      }),
    );
    add(
      Metric.AgentDroppedMessages,
      new Counter({
        name: `${NAMESPACE}_${Metric.AgentDroppedMessages}`,
        help: 'messages to clients dropped because they did not read',
        labelNames: labelNames(Metric.AgentDroppedMessages),
        registers,
      }),
    );
    add(
      Metric.CountServers,
      new Gauge({
        name: `${NAMESPACE}_${Metric.CountServers}`,
        help: 'servers known to service discovery',
        labelNames: labelNames(Metric.CountServers, ['type']),
        registers,
      }),
    );
    const heap: Gauge = new Gauge({
      name: `${NAMESPACE}_${Metric.HeapSize}`,
      help: 'bytes of the JavaScript heap in use',
      labelNames: labelNames(Metric.HeapSize),
      registers,
      // read at each scrape
      collect: () => heap.set(this.labels(Metric.HeapSize, {}), process.memoryUsage().heapUsed),
    });
    add(Metric.HeapSize, heap);
    const gauge = (name: string, help: string, label: string) =>
      add(name, new Gauge({ name: `${NAMESPACE}_${name}`, help, labelNames: [label], registers }));
    gauge(Metric.WorkerBusyWorkers, 'reliable RPC jobs running', 'pool');
    gauge(Metric.WorkerTotalWorkers, 'reliable RPC jobs that may run at once', 'pool');
    gauge(Metric.WorkerQueueSize, 'reliable RPC jobs waiting in the queue', 'queue');
    add(
      Metric.WorkerJobsTotal,
      new Counter({
        name: `${NAMESPACE}_${Metric.WorkerJobsTotal}`,
        help: 'reliable RPC jobs run, by outcome',
        labelNames: ['status'],
        registers,
      }),
    );
    add(
      Metric.WorkerJobsRetry,
      new Counter({
        name: `${NAMESPACE}_${Metric.WorkerJobsRetry}`,
        help: 'reliable RPC retries scheduled',
        registers,
      }),
    );
    const custom = options.custom;
    const fullName = (s: { subsystem?: string; name: string }) =>
      [NAMESPACE, s.subsystem, s.name].filter(Boolean).join('_');
    for (const s of custom?.counters ?? [])
      add(s.name, new Counter({ name: fullName(s), help: s.help, labelNames: s.labels ?? [], registers }));
    for (const s of custom?.gauges ?? [])
      add(s.name, new Gauge({ name: fullName(s), help: s.help, labelNames: s.labels ?? [], registers }));
    for (const s of custom?.summaries ?? []) {
      const percentiles = s.objectives ? Object.keys(s.objectives).map(Number) : QUANTILES.percentiles;
      add(s.name, new Summary({ name: fullName(s), help: s.help, labelNames: s.labels ?? [], registers, percentiles }));
    }
    for (const s of custom?.histograms ?? []) {
      add(
        s.name,
        new Histogram({
          name: fullName(s),
          help: s.help,
          labelNames: s.labels ?? [],
          registers,
          ...(s.buckets ? { buckets: s.buckets } : {}),
        }),
      );
    }
  }

  private metric<T extends AnyMetric>(name: string, kind: new (...args: never[]) => T): T {
    const metric = this.metrics.get(name);
    if (!(metric instanceof kind))
      throw new Error(`no ${kind.name.toLowerCase()} named ${name}: declare it in pitaya.metrics.custom`);
    return metric;
  }

  /**
   * The labels of a report: as given for a custom metric; for a built-in one, those it declares,
   * an additional label without a value taking its default (Pitaya's `ensureLabels`).
   */
  private labels(metric: string, given: Labels): Labels {
    const names = this.builtinLabels.get(metric);
    if (!names) return given;
    const labels: Labels = {};
    for (const name of names) {
      const value = given[name] ?? this.defaults[name];
      if (value !== undefined) labels[name] = value;
    }
    return labels;
  }

  reportCount(metric: string, labels: Labels, count: number): void {
    this.metric(metric, Counter).inc(this.labels(metric, labels), count);
  }

  reportGauge(metric: string, labels: Labels, value: number): void {
    this.metric(metric, Gauge).set(this.labels(metric, labels), value);
  }

  reportSummary(metric: string, labels: Labels, value: number): void {
    this.metric(metric, Summary).observe(this.labels(metric, labels), value);
  }

  reportHistogram(metric: string, labels: Labels, value: number): void {
    this.metric(metric, Histogram).observe(this.labels(metric, labels), value);
  }

  /** Where /metrics is served, once started. */
  get port(): number | undefined {
    return addressOf(this.server)?.port;
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      this.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': this.registry.contentType }).end(text),
        (err: unknown) => res.writeHead(500).end(errorMessage(err)),
      );
    });
    await listen(this.server, this.options.port, this.options.host);
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
