import { Presets, SingleBar } from 'cli-progress';
import type { RunStats } from './report/run-stats';
import type { Plan } from './scenario/plan';

/**
 * A progress bar on stderr (only on a terminal: cli-progress stays quiet otherwise, so reports
 * piped to a file or a CI log stay clean). Counts iterations, or seconds when a duration bounds the run.
 */
export class ProgressBar {
  private readonly bar: SingleBar;
  private readonly ticker: ReturnType<typeof setInterval> | undefined;
  private readonly byTime: boolean;
  private readonly started = Date.now();

  constructor(plan: Plan) {
    this.byTime = plan.iterations === Infinity;
    const unit = this.byTime ? 's' : 'iterations';
    this.bar = new SingleBar(
      {
        format: ` {bar} {percentage}% | {value}/{total} ${unit} | {completed} done, {failed} failed`,
        stream: process.stderr,
        hideCursor: true,
      },
      Presets.shades_classic,
    );
    const total = this.byTime ? Math.ceil((plan.durationMs ?? 0) / 1000) : plan.bots * plan.iterations;
    this.bar.start(total, 0, { completed: 0, failed: 0 });
    if (this.byTime) this.ticker = setInterval(() => this.bar.update(this.elapsedSeconds()), 250);
  }

  update(stats: RunStats): void {
    const { completed, failed } = stats.iterations;
    const value = this.byTime ? this.elapsedSeconds() : completed + failed;
    this.bar.update(value, { completed, failed });
  }

  stop(): void {
    clearInterval(this.ticker);
    this.bar.stop();
  }

  private elapsedSeconds(): number {
    return Math.floor((Date.now() - this.started) / 1000);
  }
}
