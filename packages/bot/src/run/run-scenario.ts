import { RunStats } from '../report/run-stats';
import { buildReport, type Report } from '../report/report';
import { awaitedPushRoutes, type Plan } from '../scenario/plan';
import { ScenarioError } from '../scenario/plan-scenario';
import { Bot } from './bot';

export interface RunOptions {
  /** Overrides the scenario's `url`. */
  url?: string;
  /** Aborting stops the run: no iteration starts after it, and the report covers what was done. */
  signal?: AbortSignal;
  /** After every iteration of any bot, with the counts so far. */
  onIteration?(stats: RunStats): void;
}

/** Runs the plan's bots concurrently, started over the ramp-up, and reports what they saw. */
export async function runScenario(plan: Plan, options: RunOptions = {}): Promise<Report> {
  const url = options.url ?? plan.url;
  if (!url) throw new ScenarioError(`${plan.name}: no url: give one in the scenario or with --url`);
  const stats = new RunStats();
  const startedAt = new Date();
  // one monotonic clock for the deadline and the reported duration
  const started = performance.now();
  const deadline = plan.durationMs === undefined ? Infinity : started + plan.durationMs;
  const signal = options.signal ?? new AbortController().signal;
  const stopping = () => signal.aborted || performance.now() >= deadline;

  // sleeping bots wake at once when the run is aborted: one listener for them all
  const sleepers = new Set<() => void>();
  signal.addEventListener('abort', () => sleepers.forEach((wake) => wake()), { once: true });
  /** Resolves after `ms`, or as soon as the run stops. */
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const wait = Math.min(ms, deadline - performance.now());
      if (signal.aborted || wait <= 0) return resolve();
      const wake = () => {
        clearTimeout(timer);
        sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, wait);
      sleepers.add(wake);
    });

  const context = {
    plan,
    url,
    stats,
    awaited: awaitedPushRoutes(plan),
    stopping,
    pause,
    onIteration: () => options.onIteration?.(stats),
  };
  await Promise.all(
    Array.from({ length: plan.bots }, async (_, i) => {
      await pause((plan.rampUpMs * i) / plan.bots);
      if (!stopping()) await new Bot(i + 1, context).run();
    }),
  );
  return buildReport({ plan, url, stats, startedAt, durationMs: performance.now() - started });
}
