import 'reflect-metadata';
import { Handler, TOKENS, type Dispatcher } from '@pitaya-ts/core';
import { OrderedDispatcher } from '@pitaya-ts/core/provider';
import { Harness, deferred, sleep, type Deferred } from './helpers';

/** A job that logs its start and end and finishes when its gate opens. */
function gatedJob(log: string[], name: string): { job: () => Promise<void>; gate: Deferred<void> } {
  const gate = deferred();
  return {
    gate,
    job: async () => {
      log.push(`${name}:start`);
      await gate.promise;
      log.push(`${name}:end`);
    },
  };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

/** Gated jobs of one session, dispatched in the order named; their gates, in that order. */
function dispatchGated(dispatcher: Dispatcher, log: string[], sessionId: number, ...names: string[]) {
  return names.map((name) => {
    const gated = gatedJob(log, name);
    dispatcher.dispatch(sessionId, gated.job);
    return gated.gate;
  });
}

describe('OrderedDispatcher', () => {
  it("runs one session's jobs in arrival order, each after the previous one finished", async () => {
    const dispatcher = new OrderedDispatcher(10);
    const log: string[] = [];
    const [first, second] = dispatchGated(dispatcher, log, 1, 'a1', 'a2');
    second!.resolve(); // the later job is ready first: it still waits its turn
    await flush();
    expect(log).toEqual(['a1:start']);
    first!.resolve();
    await dispatcher.idle();
    expect(log).toEqual(['a1:start', 'a1:end', 'a2:start', 'a2:end']);
  });

  it('runs different sessions in parallel', async () => {
    const dispatcher = new OrderedDispatcher(10);
    const log: string[] = [];
    const slow = gatedJob(log, 'a');
    const fast = gatedJob(log, 'b');
    dispatcher.dispatch(1, slow.job);
    dispatcher.dispatch(2, fast.job);
    fast.gate.resolve();
    await flush();
    expect(log).toEqual(['a:start', 'b:start', 'b:end']);
    expect(dispatcher.running).toBe(1);
    slow.gate.resolve();
    await dispatcher.idle();
    expect(dispatcher.running).toBe(0);
  });

  it('never runs more jobs at once than its bound', async () => {
    const dispatcher = new OrderedDispatcher(3);
    let active = 0;
    let max = 0;
    let done = 0;
    for (let i = 0; i < 20; i++) {
      dispatcher.dispatch(i % 7, async () => {
        max = Math.max(max, ++active);
        await flush();
        active--;
        done++;
      });
    }
    expect(dispatcher.running).toBe(3);
    await dispatcher.idle();
    expect(max).toBe(3);
    expect(done).toBe(20);
  });

  it('lets sessions take turns for the slots', async () => {
    const dispatcher = new OrderedDispatcher(1);
    const log: string[] = [];
    const a1 = gatedJob(log, 'a1');
    dispatcher.dispatch(1, a1.job);
    for (const name of ['a2', 'a3']) dispatcher.dispatch(1, async () => void log.push(name));
    dispatcher.dispatch(2, async () => void log.push('b1'));
    a1.gate.resolve();
    await dispatcher.idle();
    expect(log).toEqual(['a1:start', 'a1:end', 'b1', 'a2', 'a3']);
  });

  it('goes on after a job that throws or rejects', async () => {
    const dispatcher = new OrderedDispatcher(1);
    const log: string[] = [];
    dispatcher.dispatch(1, () => {
      throw new Error('sync');
    });
    dispatcher.dispatch(1, () => Promise.reject(new Error('async')));
    dispatcher.dispatch(1, async () => void log.push('after'));
    await dispatcher.idle();
    expect(log).toEqual(['after']);
    expect(dispatcher.running).toBe(0);
  });

  it('runs a job that finishes at once (returns nothing) without waiting a turn, then the next', () => {
    const dispatcher = new OrderedDispatcher(2);
    const log: string[] = [];
    const gated = gatedJob(log, 'a1');
    dispatcher.dispatch(1, gated.job);
    dispatcher.dispatch(1, () => void log.push('a2'));
    dispatcher.dispatch(2, () => void log.push('b1'));
    dispatcher.dispatch(2, () => void log.push('b2'));
    // b's jobs ended at once, in order; a2 waits behind a1
    expect(log).toEqual(['a1:start', 'b1', 'b2']);
    expect(dispatcher.running).toBe(1);
  });

  it('runs a long queue of jobs that finish at once without deepening the stack', async () => {
    const dispatcher = new OrderedDispatcher(1);
    const gated = gatedJob([], 'first');
    dispatcher.dispatch(0, gated.job);
    const order: number[] = [];
    for (let i = 0; i < 100_000; i++) dispatcher.dispatch(i % 3, () => void order.push(i));
    gated.gate.resolve();
    await dispatcher.idle();
    expect(order).toHaveLength(100_000);
    // within a session, arrival order
    for (const session of [0, 1, 2]) {
      const mine = order.filter((i) => i % 3 === session);
      expect(mine).toEqual([...mine].sort((a, b) => a - b));
    }
  });

  it('resolves idle() at once when nothing runs, and once everything finished otherwise', async () => {
    const dispatcher = new OrderedDispatcher(2);
    await dispatcher.idle();
    const log: string[] = [];
    const job = gatedJob(log, 'x');
    dispatcher.dispatch(5, job.job);
    let idle = false;
    const waiting = dispatcher.idle().then(() => (idle = true));
    await flush();
    expect(idle).toBe(false);
    job.gate.resolve();
    await waiting;
    expect(log).toEqual(['x:start', 'x:end']);
  });
});

describe('OrderedDispatcher.pass', () => {
  it("starts the session's next job in its slot while the one that passed still runs", async () => {
    const dispatcher = new OrderedDispatcher(10, 10);
    const log: string[] = [];
    const [first, second, third] = dispatchGated(dispatcher, log, 1, 'a1', 'a2', 'a3');
    expect(log).toEqual(['a1:start']);
    dispatcher.pass(1);
    expect(log).toEqual(['a1:start', 'a2:start']);
    expect([dispatcher.running, dispatcher.runningJobs]).toEqual([1, 2]);
    // the second ends before the first: the third starts behind it, the first still runs
    second!.resolve();
    await flush();
    expect(log).toEqual(['a1:start', 'a2:start', 'a2:end', 'a3:start']);
    first!.resolve();
    third!.resolve();
    await dispatcher.idle();
    expect(dispatcher.running).toBe(0);
    // a session with nothing running has no turn to pass
    dispatcher.pass(1);
    expect(dispatcher.running).toBe(0);
  });

  it('runs at most ridesPerSlot jobs of a session in its slot, then it waits its turn behind the others', async () => {
    const dispatcher = new OrderedDispatcher(1, 2);
    const log: string[] = [];
    const [a1, a2, a3] = dispatchGated(dispatcher, log, 1, 'a1', 'a2', 'a3');
    const [b1] = dispatchGated(dispatcher, log, 2, 'b1');
    dispatcher.pass(1);
    dispatcher.pass(1);
    expect(log).toEqual(['a1:start', 'a2:start']);
    a1!.resolve();
    a2!.resolve();
    await flush();
    // the slot went to the session that waited for it
    expect(log).toEqual(['a1:start', 'a2:start', 'a1:end', 'a2:end', 'b1:start']);
    b1!.resolve();
    await flush();
    expect(log.slice(-2)).toEqual(['b1:end', 'a3:start']);
    a3!.resolve();
    await dispatcher.idle();
  });

  it('with one job per slot, a pass lets nothing start before the job ends', async () => {
    const dispatcher = new OrderedDispatcher(10);
    const log: string[] = [];
    const [first, second] = dispatchGated(dispatcher, log, 1, 'a1', 'a2');
    dispatcher.pass(1);
    expect(log).toEqual(['a1:start']);
    first!.resolve();
    await flush();
    expect(log).toEqual(['a1:start', 'a1:end', 'a2:start']);
    second!.resolve();
    await dispatcher.idle();
  });

  it('lets a job that came after the pass start at once, and the job that passed end on its own', async () => {
    const dispatcher = new OrderedDispatcher(10, 10);
    const log: string[] = [];
    const first = gatedJob(log, 'a1');
    const second = gatedJob(log, 'a2');
    dispatcher.dispatch(1, first.job);
    dispatcher.pass(1);
    dispatcher.dispatch(1, second.job);
    expect(log).toEqual(['a1:start', 'a2:start']);
    // the first ends while the second holds the turn: a third job still waits for the second
    first.gate.resolve();
    await flush();
    const third = gatedJob(log, 'a3');
    dispatcher.dispatch(1, third.job);
    expect(log).toEqual(['a1:start', 'a2:start', 'a1:end']);
    second.gate.resolve();
    await flush();
    expect(log).toEqual(['a1:start', 'a2:start', 'a1:end', 'a2:end', 'a3:start']);
    third.gate.resolve();
    await dispatcher.idle();
  });
});

describe('dispatch through a server', () => {
  const harness = new Harness();
  afterEach(() => harness.cleanup());

  const handled: number[] = [];
  let active = 0;
  let max = 0;
  let target = Infinity;
  let full = deferred();
  let blocker = deferred();

  @Handler()
  class WorkHandler {
    async slow(body: { i: number; delay: number }): Promise<number> {
      await sleep(body.delay);
      handled.push(body.i);
      return body.i;
    }

    async block(): Promise<string> {
      await blocker.promise;
      return 'unblocked';
    }

    ping(): string {
      return 'pong';
    }

    async hold(): Promise<number> {
      max = Math.max(max, ++active);
      if (active >= target) full.resolve();
      // the gate opens once `target` run at once (with a bound below it, the requests time out)
      await full.promise;
      active--;
      return max;
    }
  }

  beforeEach(() => {
    handled.length = 0;
    active = 0;
    max = 0;
    full = deferred();
    blocker = deferred();
  });

  it("handles one session's messages in arrival order even when earlier ones are slower", async () => {
    const app = await harness.server({ handlers: [WorkHandler] });
    const client = await harness.client(app);
    const delays = [40, 30, 20, 10, 0];
    const answers = await Promise.all(delays.map((delay, i) => client.request('game.work.slow', { i, delay })));
    expect(answers).toEqual([0, 1, 2, 3, 4]);
    expect(handled).toEqual([0, 1, 2, 3, 4]);
  });

  it('handles other sessions while one waits', async () => {
    const app = await harness.server({ handlers: [WorkHandler] });
    const [a, b] = await Promise.all([harness.client(app), harness.client(app)]);
    let blockedAnswered = false;
    const blocked = a.request('game.work.block').then((answer: unknown) => {
      blockedAnswered = true;
      return answer;
    });
    await expect(b.request('game.work.ping')).resolves.toBe('pong');
    expect(blockedAnswered).toBe(false);
    blocker.resolve();
    await expect(blocked).resolves.toBe('unblocked');
  });

  it.each([
    [2, 6, 2],
    [4, 6, 4],
    [25, 6, 6],
  ])('with pitaya.concurrency.handler.dispatch %d, %d sessions run %d handlers at once', async (bound, n, expected) => {
    target = expected;
    const app = await harness.server({
      handlers: [WorkHandler],
      config: { 'pitaya.concurrency.handler.dispatch': bound },
    });
    expect(app.container.get<Dispatcher>(TOKENS.Dispatcher)).toBeInstanceOf(OrderedDispatcher);
    const clients = await Promise.all(Array.from({ length: n }, () => harness.client(app)));
    await Promise.all(clients.map((c) => c.request('game.work.hold')));
    expect(max).toBe(expected);
  });
});
