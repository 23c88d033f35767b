import { StatsD } from 'hot-shots';
import { Metric, type Labels, type MetricsReporter } from './metrics-reporter';

export interface StatsdReporterOptions {
  /** `host:port` */
  address: string;
  prefix: string;
  /** 0 < rate <= 1: the share of samples sent. */
  sampleRate: number;
  game: string;
  serverType: string;
  constantLabels?: Record<string, string>;
  /** How often the process gauges are sent, ms (`pitaya.metrics.periodicmetrics.period`); 0: never. */
  periodMs?: number;
}

/**
 * Pitaya's statsd reporter (DogStatsD tags): counts as counters, gauges as gauges, summaries as
 * timings, histograms as histograms, with the `game` and `serverType` tags on all; and the
 * process gauges every period.
 */
export class StatsdReporter implements MetricsReporter {
  private readonly client: StatsD;
  private readonly rate: number;
  private sampler: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly options: StatsdReporterOptions) {
    const [host = '', port] = options.address.split(':');
    this.rate = options.sampleRate;
    this.client = new StatsD({
      host: host || 'localhost', // ":8125" names no host
      port: Number(port) || 8125,
      prefix: options.prefix,
      globalTags: { game: options.game, serverType: options.serverType, ...options.constantLabels },
      errorHandler: () => undefined, // UDP: a lost datagram is a lost sample, not a failure
    });
  }

  reportCount(metric: string, labels: Labels, count: number): void {
    this.client.increment(metric, count, this.rate, labels);
  }

  reportGauge(metric: string, labels: Labels, value: number): void {
    this.client.gauge(metric, value, this.rate, labels);
  }

  reportSummary(metric: string, labels: Labels, value: number): void {
    this.client.timing(metric, value, this.rate, labels);
  }

  reportHistogram(metric: string, labels: Labels, value: number): void {
    this.client.histogram(metric, value, this.rate, labels);
  }

  /** Sends the process gauges now and every period: statsd, unlike Prometheus, does not ask for them. */
  async start(): Promise<void> {
    const { periodMs = 0 } = this.options;
    if (periodMs <= 0) return;
    const sample = () => this.reportGauge(Metric.HeapSize, {}, process.memoryUsage().heapUsed);
    sample();
    this.sampler = setInterval(sample, periodMs).unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.sampler);
    await new Promise<void>((resolve) => this.client.close(() => resolve()));
  }
}
