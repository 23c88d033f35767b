import { ClientError, connect, errorMessage, PitayaError, type PitayaClient } from '@pitaya-ts/client';
import { performance } from 'node:perf_hooks';
import type { FailureCategory, RunStats } from '../report/run-stats';
import type { Plan, PlannedStep } from '../scenario/plan';
import { mismatches } from './match';
import { PushInbox } from './push-inbox';
import { getPath, render, type Vars } from './template';

/** A step that did not go as the scenario says (counted already): the iteration stops there. */
class StepFailure extends Error {}

export interface BotContext {
  plan: Plan;
  url: string;
  stats: RunStats;
  /** Push routes some step waits for. */
  awaited: Set<string>;
  /** True once the run should end: no iteration starts after it. */
  stopping: () => boolean;
  /** Resolves after `ms`, or at once when the run stops. */
  pause(ms: number): Promise<void>;
  onIteration(): void;
}

const show = (value: unknown) => (value === undefined ? 'no body' : JSON.stringify(value));

/** One simulated user: connects, runs `setup` once per connection, then `steps` per iteration. */
export class Bot {
  private client: PitayaClient | undefined;
  /** The setup steps ran on the current connection. */
  private setUp = false;
  private readonly inbox = new PushInbox();
  private readonly vars: Vars;

  constructor(
    readonly id: number,
    private readonly context: BotContext,
  ) {
    this.vars = { bot: id, iteration: 0 };
  }

  async run(): Promise<void> {
    const { plan, stats, stopping } = this.context;
    try {
      for (let iteration = 1; iteration <= plan.iterations && !stopping(); iteration++) {
        this.vars.iteration = iteration;
        const ok = await this.iteration();
        stats.iterations[ok ? 'completed' : 'failed']++;
        this.context.onIteration();
        // a server that refuses connections is not hammered in a tight loop
        if (!ok && !this.client?.connected && iteration < plan.iterations) await this.context.pause(1000);
      }
    } finally {
      await this.client?.close();
    }
  }

  private async iteration(): Promise<boolean> {
    try {
      if (!this.client?.connected) await this.connect();
      if (!this.setUp) {
        await this.runSteps(this.context.plan.setup);
        this.setUp = true;
      }
      await this.runSteps(this.context.plan.steps);
      return true;
    } catch (err) {
      if (!(err instanceof StepFailure)) throw err;
      return false;
    }
  }

  private async connect(): Promise<void> {
    const { plan, url, stats } = this.context;
    await this.client?.close();
    this.setUp = false;
    this.inbox.clear();
    try {
      this.client = await connect(url, {
        handshakeData: plan.handshake.user,
        sys: plan.handshake.sys,
        timeout: plan.timeoutMs,
        requestTimeout: plan.timeoutMs,
      });
    } catch (err) {
      stats.connections.failed++;
      this.fail('connect', 'connect', errorMessage(err));
    }
    stats.connections.opened++;
    const client = this.client;
    for (const route of this.context.awaited) client.on(route, (body) => this.inbox.put(route, body));
    client.events.on('close', (reason) => {
      if (reason.code !== 'CLOSED_BY_CLIENT') stats.connections.lost++;
    });
  }

  /** The client of the connect step; the steps run only after it. */
  private get connected(): PitayaClient {
    if (!this.client) throw new Error('not connected');
    return this.client;
  }

  private async runSteps(steps: PlannedStep[]): Promise<void> {
    for (const step of steps) await this.runStep(step);
  }

  private async runStep(step: PlannedStep): Promise<void> {
    switch (step.kind) {
      case 'request':
        return this.request(step);
      case 'notify': {
        const body = this.render(step, step.body);
        try {
          this.connected.notify(step.route, body);
        } catch (err) {
          this.fail(step.label, 'connect', errorMessage(err));
        }
        this.context.stats.notify(step.route);
        return;
      }
      case 'waitPush':
        return this.waitPush(step);
      case 'sleep':
        return this.context.pause(step.ms);
      case 'loop': {
        const outer = this.vars.loop;
        for (let turn = 1; turn <= step.times; turn++) {
          this.vars.loop = turn;
          await this.runSteps(step.steps);
        }
        this.vars.loop = outer;
      }
    }
  }

  private async request(step: Extract<PlannedStep, { kind: 'request' }>): Promise<void> {
    const { stats, plan } = this.context;
    const body = this.render(step, step.body);
    const started = performance.now();
    let answer: unknown;
    try {
      answer = await this.connected.request(step.route, body, { timeout: step.timeoutMs ?? plan.timeoutMs });
    } catch (err) {
      if (PitayaError.is(err)) {
        stats.request(step.route, performance.now() - started, err.code);
        if (step.expectError === err.code) {
          stats.pass();
          return;
        }
        const expected = step.expectError ? `expected ${step.expectError}, got ` : '';
        return this.fail(step.label, 'error answer', `${expected}${err.code} ${err.msg}`);
      }
      const code = err instanceof ClientError ? err.code : 'CLIENT';
      stats.request(step.route, undefined, code);
      const category = code === 'TIMEOUT' ? 'no answer' : code === 'SERIALIZATION' ? 'scenario' : 'connect';
      return this.fail(step.label, category, errorMessage(err));
    }
    stats.request(step.route, performance.now() - started);
    if (step.expectError) {
      return this.fail(step.label, 'expectation', `expected ${step.expectError}, got an answer: ${show(answer)}`);
    }
    this.check(step, answer, step.expect);
    this.store(step, answer);
    stats.pass();
  }

  private async waitPush(step: Extract<PlannedStep, { kind: 'waitPush' }>): Promise<void> {
    const { stats, plan } = this.context;
    const match = step.match ? (this.render(step, step.match) as Record<string, unknown>) : undefined;
    const timeout = step.timeoutMs ?? plan.timeoutMs;
    const accept = match ? (body: unknown) => mismatches(body, match).length === 0 : () => true;
    const got = await this.inbox.take(step.route, accept, timeout);
    if (!got) {
      stats.push(step.route, 'timeouts');
      const matching = match ? ` matching ${JSON.stringify(match)}` : '';
      return this.fail(step.label, 'no push', `no ${step.route} push${matching} within ${timeout} ms`);
    }
    stats.push(step.route, 'received');
    this.store(step, got.body);
    stats.pass();
  }

  private check(step: PlannedStep, answer: unknown, expect: Record<string, unknown> | undefined): void {
    if (!expect) return;
    const wrong = mismatches(answer, this.render(step, expect) as Record<string, unknown>);
    if (wrong.length) this.fail(step.label, 'expectation', `${wrong.join('; ')} (answer: ${show(answer)})`);
  }

  private store(step: PlannedStep & { store?: Record<string, string> }, value: unknown): void {
    for (const [name, path] of Object.entries(step.store ?? {})) {
      const found = getPath(value, path);
      if (found === undefined) this.fail(step.label, 'expectation', `nothing at ${path} to store as ${name}`);
      this.vars[name] = found;
    }
  }

  private render(step: PlannedStep, value: unknown): unknown {
    try {
      return render(value, this.vars);
    } catch (err) {
      return this.fail(step.label, 'scenario', errorMessage(err));
    }
  }

  private fail(step: string, category: FailureCategory, message: string): never {
    this.context.stats.fail(step, category, { bot: this.id, iteration: Number(this.vars.iteration), message });
    throw new StepFailure(message);
  }
}
