import { StatsD } from 'hot-shots';
import type { Labels, MetricsReporter } from './metrics-reporter';

export interface StatsdReporterOptions {
  /** `host:port` */
  address: string;
  prefix: string;
  /** 0 < rate <= 1: the share of samples sent. */
  sampleRate: number;
  game: string;
  serverType: string;
  constantLabels?: Record<string, string>;
}

/**
 * Pitaya's statsd reporter (DogStatsD tags): counts as counters, gauges as gauges, summaries as
 * timings, histograms as histograms, with the `game` and `serverType` tags on all.
 */
export class StatsdReporter implements MetricsReporter {
  private readonly client: StatsD;
  private readonly rate: number;

  constructor(options: StatsdReporterOptions) {
    const [host, port] = options.address.split(':');
    this.rate = options.sampleRate;
    this.client = new StatsD({
      host: host || 'localhost',
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

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.client.close(() => resolve()));
  }
}
