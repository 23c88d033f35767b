import type { Plan } from '../scenario/plan';
import type { LatencySummary } from './latency-histogram';
import type { FailureExample, RunStats } from './run-stats';

export interface RouteReport {
  kind: 'request' | 'notify';
  route: string;
  count: number;
  ok: number;
  /** By code: the server's (`PIT-404`) or the client's (`TIMEOUT`, `DISCONNECTED`). */
  errors: Record<string, number>;
  /** Of answered requests, errors included, in ms. */
  latencyMs?: LatencySummary;
}

/** A run's outcome, as written to the JSON report. */
export interface Report {
  scenario: string;
  url: string;
  bots: number;
  startedAt: string;
  durationMs: number;
  passed: boolean;
  iterations: { completed: number; failed: number };
  connections: { opened: number; failed: number; lost: number };
  routes: RouteReport[];
  pushes: { route: string; received: number; timeouts: number }[];
  assertions: {
    passed: number;
    failed: number;
    failures: { step: string; category: string; count: number; examples: FailureExample[] }[];
  };
}

export function buildReport(run: {
  plan: Plan;
  url: string;
  stats: RunStats;
  startedAt: Date;
  durationMs: number;
}): Report {
  const { stats } = run;
  return {
    scenario: run.plan.name,
    url: run.url,
    bots: run.plan.bots,
    startedAt: run.startedAt.toISOString(),
    durationMs: Math.round(run.durationMs),
    passed: stats.checks.failed === 0,
    iterations: { ...stats.iterations },
    connections: { ...stats.connections },
    routes: [...stats.routes.values()].map((r) => ({
      kind: r.kind,
      route: r.route,
      count: r.count,
      ok: r.ok,
      errors: Object.fromEntries(r.errors),
      ...(r.latency.count ? { latencyMs: r.latency.summary() } : {}),
    })),
    pushes: [...stats.pushes].map(([route, counts]) => ({ route, ...counts })),
    assertions: {
      passed: stats.checks.passed,
      failed: stats.checks.failed,
      failures: [...stats.failures.values()].map((group) => ({ ...group, examples: [...group.examples] })),
    },
  };
}

const ms = (value: number | undefined) => (value === undefined ? '-' : value.toFixed(2));

function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, col) => (widths[col] = Math.max(widths[col] ?? 0, cell.length)));
  return rows
    .map(
      (row) =>
        '  ' +
        row
          .map((cell, col) => cell.padEnd(widths[col] ?? 0))
          .join('  ')
          .trimEnd(),
    )
    .join('\n');
}

/** The report as text for a terminal. */
export function formatReport(report: Report): string {
  const lines = [
    `scenario ${report.scenario} against ${report.url}: ${report.bots} bots, ${(report.durationMs / 1000).toFixed(1)} s`,
    `iterations: ${report.iterations.completed} completed, ${report.iterations.failed} failed; ` +
      `connections: ${report.connections.opened} opened, ${report.connections.failed} failed, ${report.connections.lost} lost`,
    '',
  ];
  if (report.routes.length) {
    const rows = [['route', 'kind', 'count', 'ok', 'errors', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms']];
    for (const r of report.routes) {
      const errors = Object.entries(r.errors).map(([code, n]) => `${code} x${n}`);
      const l = r.latencyMs;
      rows.push([
        r.route,
        r.kind,
        String(r.count),
        String(r.ok),
        errors.join(', ') || '-',
        ms(l?.p50),
        ms(l?.p90),
        ms(l?.p99),
        ms(l?.max),
      ]);
    }
    lines.push(table(rows), '');
  }
  if (report.pushes.length) {
    const rows = [
      ['push', 'received', 'timeouts'],
      ...report.pushes.map((p) => [p.route, String(p.received), String(p.timeouts)]),
    ];
    lines.push(table(rows), '');
  }
  const { passed, failed, failures } = report.assertions;
  lines.push(`assertions: ${passed} passed, ${failed} failed`);
  for (const failure of failures) {
    lines.push(`  ${failure.step}: ${failure.category} x${failure.count}`);
    for (const e of failure.examples) lines.push(`    bot ${e.bot}, iteration ${e.iteration}: ${e.message}`);
  }
  lines.push(report.passed ? 'PASSED' : 'FAILED');
  return lines.join('\n');
}
