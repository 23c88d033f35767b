import 'reflect-metadata';
import { decodeMessage, heartbeatPacket } from '@pitaya-ts/protocol';
import { Handler, TOKENS, type FrontendSession, type PitayaApp } from '@pitaya-ts/core';
import { Harness, RawClient, RecordingReporter, captureLogger, deferred, tcpAcceptor, waitFor } from './helpers';

const harness = new Harness();
afterEach(() => harness.cleanup());
afterEach(() => RawClient.destroyAll());

// far above a socket's high-water mark (16 KiB)
const BLOB = 'x'.repeat(256 * 1024);

let gate = deferred();
let entered = deferred();
@Handler()
class WorkHandler {
  async wait(body: { i: number }): Promise<number> {
    entered.resolve();
    await gate.promise;
    return body.i;
  }
}

/** Timers to clear after each test. */
const afterEachStop: (() => void)[] = [];
afterEach(() => {
  for (const stop of afterEachStop.splice(0)) stop();
});

/** A raw client that heartbeats but can stop reading, on a server with a small send queue. */
async function slowReader(extra: Record<string, unknown> = {}) {
  const reporter = new RecordingReporter();
  const { logger, lines } = captureLogger('debug');
  const app: PitayaApp = await harness.server({
    acceptors: [tcpAcceptor()],
    logger,
    config: {
      'pitaya.buffer.agent.messages': 5,
      'pitaya.handler.messages.compression': false,
      'pitaya.heartbeat.interval': '200ms',
      ...extra,
    },
    beforeStart: (a) => {
      a.container.rebind(TOKENS.MetricsReporter).toConstantValue(reporter);
    },
  });
  const raw = await RawClient.open(app);
  await raw.handshake();
  const beat = setInterval(() => raw.send(heartbeatPacket()), 50);
  void raw.closed.finally(() => clearInterval(beat));
  afterEachStop.push(() => clearInterval(beat));
  await waitFor(() => app.sessions.count === 1);
  const session = [...app.sessions.sessions()][0] as FrontendSession;
  return { app, raw, session, reporter, lines };
}

const dropped = (reporter: RecordingReporter) =>
  reporter.of('agent_dropped_messages').reduce((sum, r) => sum + r.value, 0);

describe('send queue (pitaya.buffer.agent.messages)', () => {
  it('queues up to the limit for a client that does not read, then drops and counts', async () => {
    const { raw, session, reporter } = await slowReader();
    raw.socket.pause();
    // one tick: the first push fills the socket's buffer, five wait, the rest are dropped
    for (let i = 0; i < 20; i++) void session.push('onBlob', { i, blob: BLOB });
    expect(dropped(reporter)).toBe(14);

    raw.socket.resume();
    await waitFor(() => raw.data().length === 6, 'the queued pushes');
    const received = raw.data().map((p) => JSON.parse(new TextDecoder().decode(decodeMessage(p.body).body)).i);
    expect(received).toEqual([0, 1, 2, 3, 4, 5]);
    expect(raw.socket.destroyed).toBe(false);
  });

  it('closes a connection that has not drained for pitaya.buffer.agent.writetimeout', async () => {
    const { app, raw, session, lines } = await slowReader({ 'pitaya.buffer.agent.writetimeout': '100ms' });
    raw.socket.pause();
    // keep pushing until the kernel's buffers are full and the socket stops draining
    const pusher = setInterval(() => void session.push('onBlob', { blob: BLOB }).catch(() => undefined), 5);
    afterEachStop.push(() => clearInterval(pusher));
    await waitFor(() => lines.some((l) => l['reason'] === 'write timeout'), 'the write timeout');
    clearInterval(pusher);
    raw.socket.resume(); // let the server's close complete
    await raw.closed;
    await waitFor(() => app.sessions.count === 0, 'the session to close');
  });
});

describe('dispatch backlog (pitaya.buffer.handler.localprocess)', () => {
  beforeEach(() => {
    gate = deferred();
    entered = deferred();
  });

  it('stops reading a connection with too many messages waiting, and reads again as they finish', async () => {
    const app = await harness.server({
      handlers: [WorkHandler],
      acceptors: [tcpAcceptor()],
      config: { 'pitaya.buffer.handler.localprocess': 2 },
    });
    const client = await harness.client(app);
    const answers = Promise.all(Array.from({ length: 12 }, (_, i) => client.request('game.work.wait', { i })));
    await entered.promise;
    gate.resolve();
    await expect(answers).resolves.toEqual(Array.from({ length: 12 }, (_, i) => i));
  });
});
