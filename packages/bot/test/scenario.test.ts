import { planScenario, ScenarioError } from '@pitaya-ts/bot';
import { mismatches } from '../src/run/match';
import { PushInbox, PUSHES_KEPT_PER_ROUTE } from '../src/run/push-inbox';
import { render } from '../src/run/template';
import { LatencyHistogram } from '../src/report/latency-histogram';

const plan = (scenario: unknown) => planScenario(scenario, 'test.yaml');
const refusal = (scenario: unknown) => {
  try {
    plan(scenario);
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioError);
    return (err as Error).message;
  }
  throw new Error('the scenario was accepted');
};

describe('planning a scenario', () => {
  it('fills in the defaults and reads durations', () => {
    const p = plan({ url: 'ws://x:1', rampUp: '1.5s', timeout: 250, steps: [{ sleep: '2m' }, { notify: 'a.b.c' }] });
    expect(p).toMatchObject({ bots: 1, iterations: 1, rampUpMs: 1500, timeoutMs: 250, durationMs: undefined });
    expect(p.steps).toEqual([
      { kind: 'sleep', label: 'steps[0] sleep', ms: 120_000 },
      { kind: 'notify', label: 'steps[1] notify a.b.c', route: 'a.b.c', body: undefined },
    ]);
    // a duration alone leaves the iterations unbounded; both bound the run
    expect(plan({ duration: '10s', steps: [{ sleep: 1 }] }).iterations).toBe(Infinity);
    expect(plan({ duration: '10s', iterations: 3, steps: [{ sleep: 1 }] }).iterations).toBe(3);
  });

  it('refuses mistakes, naming the place and what is expected', () => {
    expect(refusal({ steps: [{ request: 'a.b.c', expct: {} }] })).toBe(
      'test.yaml: steps[0]: unknown key expct (a request step takes request, body, expect, expectError, store, timeout)',
    );
    expect(refusal({ steps: [{ loop: 2, steps: [{ sleep: 'soon' }] }] })).toBe(
      'test.yaml: steps[0].steps[0]: sleep expects a duration such as 500ms, 2s or 1m, got soon',
    );
    expect(refusal({ steps: [{ request: 'a', notify: 'b' }] })).toContain('steps[0]: a step has exactly one of');
    expect(refusal({ bots: 0, steps: [{ sleep: 1 }] })).toContain('bots: expected a whole number of at least 1');
    expect(refusal({ steps: [] })).toContain('a scenario needs at least one step');
    expect(refusal({ steps: [{ request: 'a', store: { x: 1 } }] })).toContain(
      'store expects names mapped to dot paths',
    );
    expect(refusal({ handshake: { other: {} }, steps: [{ sleep: 1 }] })).toContain('handshake: expected {sys');
    expect(refusal({ step: [] })).toContain('step: unknown key');
    expect(refusal('steps: []')).toContain('expected an object with steps');
  });
});

describe('templates', () => {
  const vars = { bot: 3, room: { name: 'red', members: ['ana', 'bo'] } };

  it('fills ${name} and dot paths, keeping the type of a value that stands alone', () => {
    expect(render({ name: 'bot-${bot}', who: '${room.members.1}', n: '${bot}', list: ['${room.name}'] }, vars)).toEqual(
      {
        name: 'bot-3',
        who: 'bo',
        n: 3,
        list: ['red'],
      },
    );
    expect(render('all: ${room.members}', vars)).toBe('all: ["ana","bo"]');
  });

  it('fails on a name nothing was stored as', () => {
    expect(() => render({ a: 'x ${nothing}' }, vars)).toThrow('nothing stored as nothing');
  });
});

describe('expectations', () => {
  const answer = { members: ['ana', 'bo'], room: { name: 'red', size: 2 } };

  it('passes literals and operators that hold', () => {
    expect(
      mismatches(answer, {
        'room.name': 'red',
        members: { $contains: 'bo' },
        'members.0': { $regex: '^a' },
        'room.size': { $gte: 2 },
        room: { $type: 'object' },
        missing: { $exists: false },
        'members.length': 2, // a list's length is a path too
        '': { $exists: true },
      }),
    ).toEqual([]);
    expect(mismatches(answer, { members: { $length: 2 }, 'room.size': { $lte: 2 } })).toEqual([]);
  });

  it('says what differs, with what was expected and what came', () => {
    expect(mismatches(answer, { 'room.name': 'blue', members: { $contains: 'cy' }, 'room.size': { $gte: 5 } })).toEqual(
      [
        'room.name: expected "blue", got "red"',
        'members: expected $contains "cy", got ["ana","bo"]',
        'room.size: expected $gte 5, got 2',
      ],
    );
    expect(mismatches(undefined, { ok: true })).toEqual(['ok: expected true, got nothing']);
  });
});

describe('the push inbox', () => {
  it('keeps pushes for a later wait, skipping those that do not match', async () => {
    const inbox = new PushInbox();
    inbox.put('onMessage', { n: 1 });
    inbox.put('onMessage', { n: 2 });
    inbox.put('onMessage', { n: 3 });
    await expect(inbox.take('onMessage', (b) => (b as { n: number }).n === 2, 1000)).resolves.toEqual({
      body: { n: 2 },
    });
    // n: 1 was skipped on the way: gone
    await expect(inbox.take('onMessage', () => true, 1000)).resolves.toEqual({ body: { n: 3 } });
  });

  it('hands a push that comes later to the wait, and times out without one', async () => {
    const inbox = new PushInbox();
    const waiting = inbox.take('onJoin', (b) => b === 'bo', 60_000);
    inbox.put('onJoin', 'ana');
    inbox.put('onJoin', 'bo');
    await expect(waiting).resolves.toEqual({ body: 'bo' });
    await expect(inbox.take('onJoin', () => true, 10)).resolves.toBeUndefined();
  });

  it('keeps a bounded number of pushes per route, the newest', async () => {
    const inbox = new PushInbox();
    for (let i = 0; i < PUSHES_KEPT_PER_ROUTE + 5; i++) inbox.put('onTick', i);
    await expect(inbox.take('onTick', () => true, 10)).resolves.toEqual({ body: 5 });
  });
});

describe('the latency histogram', () => {
  it('reports percentiles within 0.1% and never above the largest value', () => {
    const histogram = new LatencyHistogram();
    for (let i = 1; i <= 1000; i++) histogram.record(i / 10); // 0.1 ms .. 100 ms
    const summary = histogram.summary()!;
    expect(summary.p50).toBeCloseTo(50, 0);
    expect(summary.p90).toBeCloseTo(90, 0);
    expect(summary.p99).toBeCloseTo(99, 0);
    expect(summary.max).toBeCloseTo(100, 0);
    expect(summary.p99).toBeLessThanOrEqual(summary.max);
    expect(new LatencyHistogram().summary()).toBeUndefined();
  });
});
