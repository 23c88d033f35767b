#!/usr/bin/env node
import * as fs from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { ProgressBar } from './progress';
import { formatReport } from './report/report';
import { runScenario } from './run/run-scenario';
import { parseDuration } from './scenario/duration';
import { readScenario } from './scenario/load-scenario';
import { planScenario, ScenarioError } from './scenario/plan-scenario';

interface Options {
  url?: string;
  bots?: number;
  iterations?: number;
  duration?: number;
  rampUp?: number;
  report: string | false;
  progress: boolean;
}

const positiveInt = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a whole number of at least 1');
  return n;
};
const duration = (value: string) => {
  const ms = parseDuration(value);
  if (ms === undefined) throw new InvalidArgumentError('a duration such as 500ms, 10s or 2m');
  return ms;
};

const program = new Command()
  .name('pitaya-bot')
  .description('Runs a scenario with many bots against a Pitaya server, then reports per route and per assertion')
  .argument('<scenario>', 'a scenario: .yaml, .yml, .json, or a .ts/.js module exporting one')
  .option('--url <url>', "where the bots connect (overrides the scenario's url)")
  .option('--bots <n>', 'bots at once', positiveInt)
  .option('--iterations <n>', 'times each bot runs the steps', positiveInt)
  .option('--duration <time>', 'no bot starts an iteration after this (10s, 2m...)', duration)
  .option('--ramp-up <time>', 'the bots start evenly over this time', duration)
  .option('--report <file>', 'where the JSON report goes', 'pitaya-bot-report.json')
  .option('--no-report', 'write no JSON report')
  .option('--no-progress', 'no progress bar')
  .addHelpText(
    'after',
    '\nExit code: 0 when every assertion passed, 1 when one failed, 2 when the scenario cannot run.',
  )
  .parse();

async function main(): Promise<number> {
  const file = program.args[0] ?? program.help({ error: true });
  const opts = program.opts<Options>();
  const raw = await readScenario(file);
  const overrides = {
    ...(opts.bots !== undefined && { bots: opts.bots }),
    ...(opts.iterations !== undefined && { iterations: opts.iterations }),
    ...(opts.duration !== undefined && { duration: opts.duration }),
    ...(opts.rampUp !== undefined && { rampUp: opts.rampUp }),
  };
  const plan = planScenario(typeof raw === 'object' && raw !== null ? { ...raw, ...overrides } : raw, file);

  // Ctrl-C once: stop starting iterations and report what was done; twice: quit
  const abort = new AbortController();
  process.once('SIGINT', () => {
    abort.abort();
    process.once('SIGINT', () => process.exit(130));
  });
  const progress = opts.progress && process.stderr.isTTY ? new ProgressBar(plan) : undefined;
  const report = await runScenario(plan, {
    url: opts.url,
    signal: abort.signal,
    onIteration: (stats) => progress?.update(stats),
  }).finally(() => progress?.stop());

  console.log(formatReport(report));
  if (opts.report) {
    fs.writeFileSync(opts.report, JSON.stringify(report, null, 2) + '\n');
    console.log(`report written to ${opts.report}`);
  }
  return report.passed ? 0 : 1;
}

main().then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    console.error(
      err instanceof ScenarioError
        ? err.message
        : `pitaya-bot: ${(err instanceof Error ? err.stack : undefined) ?? String(err)}`,
    );
    process.exitCode = 2;
  },
);
