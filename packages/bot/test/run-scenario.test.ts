import 'reflect-metadata';
import * as net from 'node:net';
import { planScenario, runScenario, type Report, type RunOptions } from '@pitaya-ts/bot';
import { startChat, type ChatServer } from '../../../apps/chat/test/helpers';

/** Runs a scenario (written as YAML would be) against the server, in this process. */
function run(server: ChatServer, scenario: Record<string, unknown>, options: RunOptions = {}) {
  return runScenario(planScenario({ url: server.url('ws'), ...scenario }, 'test'), options);
}

const failures = (report: Report) =>
  report.assertions.failures.map(({ step, category, count, examples }) => ({
    step,
    category,
    count,
    message: examples[0]!.message,
  }));

describe('runScenario, in process, against the chat server', () => {
  let server: ChatServer;

  beforeAll(async () => {
    server = await startChat();
  });

  afterAll(() => server?.stop());

  it('sends the handshake, stores a value from an answer and uses it in a later step', async () => {
    const handshakes: unknown[] = [];
    const onIteration = () => handshakes.push(server.app.sessions.getByUid('keeper-1')?.handshake);
    const scenario = {
      handshake: { sys: { platform: 'bot' }, user: { client: 'pitaya-bot' } },
      bots: 2,
      setup: [{ request: 'chat.room.join', body: { name: 'keeper-${bot}' }, store: { me: 'members.length', all: '' } }],
      steps: [
        { notify: 'chat.room.send', body: { text: 'I was member ${me} of ${all.members}' } },
        { waitPush: 'onMessage', match: { from: 'keeper-${bot}' }, store: { said: 'text' } },
        { request: 'chat.room.join', body: { name: 'keeper-${bot}' }, expect: { 'members.length': { $gte: '${me}' } } },
      ],
    };
    const report = await run(server, scenario, { onIteration });
    expect(failures(report)).toEqual([]);
    expect(report.assertions.passed).toBe(2 * 3);
    expect(handshakes.find(Boolean)).toEqual({
      sys: expect.objectContaining({ platform: 'bot' }),
      user: { client: 'pitaya-bot' },
    });
  });

  it('starts the bots evenly over the ramp-up', async () => {
    const report = await run(server, { bots: 3, rampUp: '600ms', steps: [{ request: 'chat.room.leave' }] });
    expect(report.iterations.completed).toBe(3);
    // the third bot starts 2/3 into the ramp-up
    expect(report.durationMs).toBeGreaterThanOrEqual(400);
  });

  it('counts each kind of failure under its step', async () => {
    const report = await run(server, {
      bots: 2,
      timeout: '300ms',
      setup: [{ request: 'chat.room.join', body: { name: 'kinds-${bot}' } }],
      steps: [{ loop: 1, steps: [{ request: 'chat.room.leave', expectError: 'PIT-400' }] }],
    });
    expect(failures(report)).toEqual([
      {
        step: 'steps[0].steps[0] request chat.room.leave',
        category: 'expectation',
        count: 2,
        message: 'expected PIT-400, got an answer: {"ok":true}',
      },
    ]);

    const silent = await run(server, { timeout: '200ms', steps: [{ waitPush: 'onNothing', match: { a: 1 } }] });
    expect(failures(silent)).toEqual([
      {
        step: 'steps[0] waitPush onNothing',
        category: 'no push',
        count: 1,
        message: 'no onNothing push matching {"a":1} within 200 ms',
      },
    ]);
    expect(silent.pushes).toEqual([{ route: 'onNothing', received: 0, timeouts: 1 }]);

    const typo = await run(server, { steps: [{ notify: 'chat.room.send', body: { text: '${nobody}' } }] });
    expect(failures(typo)).toEqual([
      { step: 'steps[0] notify chat.room.send', category: 'scenario', count: 1, message: 'nothing stored as nobody' },
    ]);
  });

  it('reports a server that never handshakes as connect failures, and stops trying when the run ends', async () => {
    const mute = net.createServer(() => undefined);
    await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', resolve));
    const { port } = mute.address() as net.AddressInfo;
    try {
      const report = await runScenario(
        planScenario({ url: `tcp://127.0.0.1:${port}`, bots: 2, timeout: '200ms', steps: [{ sleep: 1 }] }, 'test'),
      );
      expect(report.connections).toEqual({ opened: 0, failed: 2, lost: 0 });
      expect(failures(report)).toEqual([
        expect.objectContaining({
          step: 'connect',
          category: 'connect',
          count: 2,
          message: expect.stringContaining('no handshake'),
        }),
      ]);
    } finally {
      mute.close();
    }
  });

  it('stops starting iterations once aborted, and reports what was done', async () => {
    const abort = new AbortController();
    const report = await run(
      server,
      { bots: 2, iterations: 1_000_000, steps: [{ request: 'chat.room.leave' }, { sleep: '10ms' }] },
      { signal: abort.signal, onIteration: (stats) => stats.iterations.completed >= 4 && abort.abort() },
    );
    expect(report.passed).toBe(true);
    expect(report.iterations.completed).toBeGreaterThanOrEqual(4);
    expect(report.iterations.completed).toBeLessThan(1_000_000);
  });
});
