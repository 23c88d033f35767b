import type { PitayaConfig } from '../config/config-loader';
import { CompositeMetricsReporter, NoopMetricsReporter, type MetricsReporter } from './metrics-reporter';
import { PrometheusReporter } from './prometheus-reporter';
import { StatsdReporter } from './statsd-reporter';

/** The reporters `pitaya.metrics.*` enables: Prometheus, statsd, both, or none (free). */
export function metricsReporter(config: PitayaConfig, serverType: string): MetricsReporter {
  const game = config.get('pitaya.game');
  const constantLabels = config.get('pitaya.metrics.constanttags');
  const reporters: MetricsReporter[] = [];
  if (config.get('pitaya.metrics.prometheus.enabled')) {
    reporters.push(
      new PrometheusReporter({
        port: config.get('pitaya.metrics.prometheus.port'),
        game,
        serverType,
        constantLabels,
        additionalLabels: config.get('pitaya.metrics.additionaltags'),
        custom: config.get('pitaya.metrics.custom'),
      }),
    );
  }
  if (config.get('pitaya.metrics.statsd.enabled')) {
    reporters.push(
      new StatsdReporter({
        address: config.get('pitaya.metrics.statsd.host'),
        prefix: config.get('pitaya.metrics.statsd.prefix'),
        sampleRate: config.get('pitaya.metrics.statsd.rate'),
        periodMs: config.get('pitaya.metrics.periodicmetrics.period'),
        game,
        serverType,
        constantLabels,
      }),
    );
  }
  const [first, second] = reporters;
  if (!first) return new NoopMetricsReporter();
  return second ? new CompositeMetricsReporter(reporters) : first;
}
