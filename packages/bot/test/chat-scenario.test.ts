import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Report } from '@pitaya-ts/bot';
import { spawnChat, type ChatProcess } from '../../../apps/chat/test/chat-process';
import { Terminal } from '../../cli/test/terminal';

const BOT_MAIN = path.resolve(__dirname, '../dist/main.js');
const CHAT_SCENARIO = path.resolve(__dirname, '../../../apps/chat/scenarios/chat.yaml');
const fixture = (name: string) => path.join(__dirname, 'fixtures', name);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  report?: Report;
}

describe('pitaya-bot against the chat demo', () => {
  let chat: ChatProcess;
  let dir: string;

  /** The built bot, in a scratch directory; the JSON report is read back when it was written. */
  function bot(...args: string[]): Promise<Run> {
    const reportFile = path.join(dir, 'report.json');
    return new Promise((resolve) => {
      execFile(process.execPath, [BOT_MAIN, ...args, '--report', reportFile], { cwd: dir }, (error, stdout, stderr) => {
        const report = fs.existsSync(reportFile)
          ? (JSON.parse(fs.readFileSync(reportFile, 'utf8')) as Report)
          : undefined;
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr, report });
      });
    });
  }

  beforeAll(async () => {
    chat = await spawnChat();
  }, 90_000);

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pitaya-bot-'));
  });

  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  afterAll(() => chat?.kill());

  it('runs the shipped chat scenario: 20 bots, every assertion passing, counted per route', async () => {
    const run = await bot(CHAT_SCENARIO, '--url', chat.url('ws'));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = run.report!;
    expect(report).toMatchObject({
      scenario: 'chat',
      bots: 20,
      passed: true,
      iterations: { completed: 100, failed: 0 },
      connections: { opened: 20, failed: 0, lost: 0 },
      pushes: [{ route: 'onMessage', received: 20 * 5 * 4, timeouts: 0 }],
      // per bot: the setup join; per iteration: 4 pushes, 2 joins
      assertions: { passed: 20 + 20 * 5 * 6, failed: 0, failures: [] },
    });
    const [join, send] = report.routes;
    expect(join).toMatchObject({
      kind: 'request',
      route: 'chat.room.join',
      count: 220,
      ok: 120,
      errors: { 'PIT-400': 100 },
    });
    expect(send).toEqual({ kind: 'notify', route: 'chat.room.send', count: 400, ok: 400, errors: {} });
    const { p50, p90, p99, max } = join!.latencyMs!;
    expect(0 < p50 && p50 <= p90 && p90 <= p99 && p99 <= max).toBe(true);
    expect(run.stdout).toMatch(/chat\.room\.join +request +220 +120 +PIT-400 x100 /);
    expect(run.stdout).toContain('assertions: 620 passed, 0 failed');
    expect(run.stdout).toMatch(/PASSED\n/);
  });

  it('exits 1 when assertions fail, with the errors by code and a few examples of each failure', async () => {
    const run = await bot(fixture('chat-broken.yaml'), '--url', chat.url('tcp'));
    expect(run.code).toBe(1);
    const report = run.report!;
    expect(report.passed).toBe(false);
    expect(report.iterations).toEqual({ completed: 0, failed: 8 });
    expect(report.routes.map((r) => [r.route, r.count, r.ok, r.errors])).toEqual([
      ['chat.room.join', 8, 8, {}],
      ['chat.nowhere.at', 8, 0, { 'PIT-404': 8 }],
    ]);
    expect(report.assertions.failures).toEqual([
      {
        step: 'steps[1] request chat.nowhere.at',
        category: 'error answer',
        count: 8,
        examples: [
          expect.objectContaining({ message: 'PIT-404 route not found: chat.nowhere.at' }),
          expect.anything(),
          expect.anything(),
        ],
      },
    ]);
    expect(report.assertions.passed).toBe(8);
    expect(run.stdout).toContain('steps[1] request chat.nowhere.at: error answer x8');
    expect(run.stdout).toMatch(/bot \d, iteration \d: PIT-404 route not found: chat.nowhere.at/);
    expect(run.stdout).toMatch(/FAILED\n/);
  });

  it('reports an answer that does not meet the expectations with what differs', async () => {
    const run = await bot(fixture('chat-expectations.yaml'), '--url', chat.url('ws'));
    expect(run.code).toBe(1);
    const [failure] = run.report!.assertions.failures;
    expect(failure).toMatchObject({ step: 'setup[0] request chat.room.join', category: 'expectation', count: 2 });
    expect(failure!.examples[0]!.message).toMatch(/^members: expected \$length 99, got \[.*"wrong-\d".*\]/);
  });

  it('loads a TypeScript scenario module', async () => {
    const run = await bot(fixture('chat-scenario.ts'), '--url', chat.url('ws'));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.report).toMatchObject({
      scenario: 'chat from TypeScript',
      iterations: { completed: 6, failed: 0 },
      assertions: { passed: 3 + 6 * 3, failed: 0 },
    });
  });

  it('runs for a duration, bots and duration from the command line', async () => {
    const run = await bot(fixture('chat-timed.yaml'), '--url', chat.url('ws'), '--duration', '1s', '--bots', '3');
    expect(run.code).toBe(0);
    const report = run.report!;
    expect(report.bots).toBe(3);
    expect(report.durationMs).toBeGreaterThanOrEqual(1000);
    expect(report.iterations.completed).toBeGreaterThan(3);
    expect(report.iterations.failed).toBe(0);
  });

  it('exits 2 on a scenario that cannot run, saying where, and writes no report', async () => {
    const file = path.join(dir, 'typo.yaml');
    fs.writeFileSync(file, 'steps:\n  - request: chat.room.join\n    expct: {}\n');
    const run = await bot(file);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `${file}: steps[0]: unknown key expct (a request step takes request, body, expect, expectError, store, timeout)\n`,
    );
    expect(run.report).toBeUndefined();
    const noUrl = await bot(fixture('chat-timed.yaml'));
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toContain('no url: give one in the scenario or with --url');
  });

  it('shows a progress bar in a terminal', async () => {
    const term = new Terminal([process.execPath, BOT_MAIN, CHAT_SCENARIO, '--url', chat.url('ws'), '--no-report']);
    try {
      await term.waitFor(/100% \| 100\/100 iterations \| 100 done, 0 failed/);
      await term.waitFor('PASSED');
      await expect(term.exited).resolves.toBe(0);
    } finally {
      term.kill();
    }
  });
});
