import { LatencyHistogram } from './latency-histogram';

export interface FailureExample {
  bot: number;
  iteration: number;
  message: string;
}

/** Why a step failed, in broad terms: failures of one step and category are counted together. */
export type FailureCategory = 'connect' | 'error answer' | 'no answer' | 'expectation' | 'no push' | 'scenario';

export interface RouteStats {
  kind: 'request' | 'notify';
  route: string;
  count: number;
  ok: number;
  errors: Map<string, number>;
  latency: LatencyHistogram;
}

export interface FailureGroup {
  step: string;
  category: FailureCategory;
  count: number;
  examples: FailureExample[];
}

/** Examples kept per failure group: enough to see what went wrong, bounded for long runs. */
export const EXAMPLES_PER_FAILURE = 3;

/** Everything the bots did, counted as it happens. */
export class RunStats {
  readonly routes = new Map<string, RouteStats>();
  readonly pushes = new Map<string, { received: number; timeouts: number }>();
  readonly failures = new Map<string, FailureGroup>();
  readonly checks = { passed: 0, failed: 0 };
  readonly iterations = { completed: 0, failed: 0 };
  readonly connections = { opened: 0, failed: 0, lost: 0 };

  /** A request answered (`code` undefined), answered with an error, or not answered (a client code). */
  request(route: string, ms: number | undefined, code?: string): void {
    const stats = this.route('request', route);
    stats.count++;
    if (ms !== undefined) stats.latency.record(ms);
    if (code === undefined) stats.ok++;
    else stats.errors.set(code, (stats.errors.get(code) ?? 0) + 1);
  }

  notify(route: string): void {
    const stats = this.route('notify', route);
    stats.count++;
    stats.ok++;
  }

  push(route: string, outcome: 'received' | 'timeouts'): void {
    let stats = this.pushes.get(route);
    if (!stats) this.pushes.set(route, (stats = { received: 0, timeouts: 0 }));
    stats[outcome]++;
  }

  pass(): void {
    this.checks.passed++;
  }

  fail(step: string, category: FailureCategory, example: FailureExample): void {
    this.checks.failed++;
    const key = `${step}\n${category}`;
    let group = this.failures.get(key);
    if (!group) this.failures.set(key, (group = { step, category, count: 0, examples: [] }));
    group.count++;
    if (group.examples.length < EXAMPLES_PER_FAILURE) group.examples.push(example);
  }

  private route(kind: 'request' | 'notify', route: string): RouteStats {
    const key = `${kind} ${route}`;
    let stats = this.routes.get(key);
    if (!stats) {
      stats = { kind, route, count: 0, ok: 0, errors: new Map(), latency: new LatencyHistogram() };
      this.routes.set(key, stats);
    }
    return stats;
  }
}
