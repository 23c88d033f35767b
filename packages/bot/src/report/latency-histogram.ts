import { build, type Histogram } from 'hdr-histogram-js';

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Latencies in an HDR histogram: constant memory however long the run, 3 significant digits. */
export class LatencyHistogram {
  private readonly histogram: Histogram = build({ numberOfSignificantValueDigits: 3 });

  /** Records one latency, in milliseconds (kept in microseconds). */
  record(ms: number): void {
    this.histogram.recordValue(Math.max(1, Math.round(ms * 1000)));
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  /** Percentiles in milliseconds, to the microsecond; undefined before the first record. */
  summary(): LatencySummary | undefined {
    if (this.count === 0) return undefined;
    const ms = (micros: number) => Math.round(micros) / 1000;
    const max = this.histogram.maxValue;
    // a percentile is the top of its bucket: never above the largest value seen
    const at = (percentile: number) => ms(Math.min(this.histogram.getValueAtPercentile(percentile), max));
    return { p50: at(50), p90: at(90), p99: at(99), max: ms(max), mean: ms(this.histogram.mean) };
  }
}
