import 'reflect-metadata';
import { decodeMessage, encodeDataPacket, heartbeatPacket, MessageType, PacketType } from '@pitaya-ts/protocol';
import { Handler, TOKENS, type PitayaApp } from '@pitaya-ts/core';
import {
  ControlClient,
  Harness,
  RawClient,
  RecordingReporter,
  captureLogger,
  deferred,
  tcpAcceptor,
  waitFor,
} from './helpers';

const harness = new Harness();
afterEach(() => harness.cleanup());
afterEach(() => RawClient.destroyAll());

// far above a socket's high-water mark (16 KiB)
const BLOB = 'x'.repeat(256 * 1024);

let gate = deferred();
let entered = deferred();
let handled = 0;
@Handler()
class WorkHandler {
  async wait(body: { i: number }): Promise<number> {
    handled++;
    entered.resolve();
    await gate.promise;
    return body.i;
  }

  blob(): string {
    handled++;
    return BLOB;
  }

  ping(): string {
    return 'pong';
  }
}

const request = (route: string, id: number) =>
  encodeDataPacket({ type: MessageType.Request, id, route, body: new TextEncoder().encode('{"i":0}'), error: false });

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
  const session = [...app.sessions.sessions()][0]!;
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
    const received = raw
      .data()
      .map((p) => (JSON.parse(new TextDecoder().decode(decodeMessage(p.body).body)) as { i: number }).i);
    expect(received).toEqual([0, 1, 2, 3, 4, 5]);
    expect(raw.socket.destroyed).toBe(false);
  });

  it('does not judge a client silent while it is not read for its full send queue', async () => {
    const { app, raw, session, reporter, lines } = await slowReader({ 'pitaya.heartbeat.interval': '100ms' });
    // another client, to count the server's heartbeats
    const other = await RawClient.open(app);
    await other.handshake();
    const beat = setInterval(() => other.send(heartbeatPacket()), 50);
    afterEachStop.push(() => clearInterval(beat));
    raw.socket.pause();
    // until the kernel's buffers are full and the send queue too
    while (dropped(reporter) === 0) {
      void session.push('onBlob', { blob: BLOB });
      await new Promise((resolve) => setImmediate(resolve));
    }
    // several heartbeat intervals without reading the slow client's heartbeats
    const beats = () => other.packets.filter((p) => p.type === PacketType.Heartbeat).length;
    const before = beats();
    await waitFor(() => beats() >= before + 5, 5000, 'five heartbeat intervals');
    expect(app.sessions.count).toBe(2);
    // it reads what was queued, and is read again: its heartbeats keep it
    const received = raw.data().length;
    raw.socket.resume();
    await waitFor(() => raw.data().length > received, 5000, 'the queued pushes');
    const later = beats();
    await waitFor(() => beats() >= later + 3, 5000, 'three more heartbeat intervals');
    expect(lines.filter((l) => l.reason === 'heartbeat timeout')).toEqual([]);
    expect(app.sessions.count).toBe(2);
  });

  it('closes a connection that has not drained for pitaya.buffer.agent.writetimeout', async () => {
    const { app, raw, session, lines } = await slowReader({ 'pitaya.buffer.agent.writetimeout': '100ms' });
    raw.socket.pause();
    // keep pushing until the kernel's buffers are full and the socket stops draining
    const pusher = setInterval(() => void session.push('onBlob', { blob: BLOB }).catch(() => undefined), 5);
    afterEachStop.push(() => clearInterval(pusher));
    await waitFor(() => lines.some((l) => l.reason === 'write timeout'), 'the write timeout');
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

describe('a client that does not read what it is sent', () => {
  beforeEach(() => {
    gate = deferred();
    entered = deferred();
    handled = 0;
  });

  async function start(config: Record<string, unknown>) {
    const reporter = new RecordingReporter();
    const { logger, lines } = captureLogger('debug');
    const app = await harness.server({
      handlers: [WorkHandler],
      acceptors: [tcpAcceptor()],
      logger,
      config: { 'pitaya.handler.messages.compression': false, ...config },
      beforeStart: (a) => {
        a.container.rebind(TOKENS.MetricsReporter).toConstantValue(reporter);
      },
    });
    const control = new ControlClient(await harness.client(app), 'game.work.ping');
    const raw = await RawClient.open(app);
    await raw.handshake();
    await waitFor(() => app.sessions.count === 2, 2000, 'both sessions');
    raw.socket.pause();
    const port = `:${raw.socket.localPort}`;
    const session = [...app.sessions.sessions()].find((s) => s.remoteAddress.endsWith(port))!;
    return { app, raw, session, reporter, lines, control };
  }

  it('is not read once its send queue is full, and is closed after pitaya.buffer.agent.writetimeout', async () => {
    // the heartbeat ticker (30 s) plays no part: the write timeout is judged on its own
    const { app, raw, lines, control } = await start({
      'pitaya.buffer.agent.messages': 5,
      'pitaya.buffer.agent.writetimeout': '300ms',
    });
    const requests = 1000;
    for (let id = 1; id <= requests; id++) raw.send(request('game.work.blob', id));
    await waitFor(() => lines.some((l) => l.reason === 'write timeout'), 10_000, 'the write timeout');
    await waitFor(() => app.sessions.count === 1, 5000, 'the session to close');
    // what the kernel's buffers took, the queue and a read's worth: far from all it sent
    expect(handled).toBeLessThan(requests / 2);
    await control.expectServed();
  });

  it('is not read again when its handlers finish while its send queue is still full', async () => {
    const { raw, reporter, session, control } = await start({
      'pitaya.buffer.agent.messages': 5,
      'pitaya.buffer.handler.localprocess': 2,
      'pitaya.buffer.agent.writetimeout': '1m',
    });
    // three requests waiting for dispatch pause reading (backlog 2); three more wait behind them
    for (let id = 1; id <= 6; id++) raw.send(request('game.work.wait', id));
    await entered.promise;
    // fill the socket and the send queue: the second reason to pause
    while (reporter.of('agent_dropped_messages').length === 0) {
      void session.push('onBlob', { blob: BLOB });
      await new Promise((resolve) => setImmediate(resolve));
    }
    gate.resolve();
    // the server has answered the control client many times since: it had every chance to read
    const seen = control.answered;
    await waitFor(() => control.answered >= seen + 20, 10_000, 'the control client to be answered');
    expect(handled).toBe(3);

    raw.socket.resume();
    await waitFor(() => handled === 6, 10_000, 'the other requests to be read');
    await control.expectServed();
  });
});
