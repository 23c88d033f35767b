import 'reflect-metadata';
import * as net from 'node:net';
import {
  encodeDataPacket,
  encodeHandshakeRequest,
  encodePacket,
  handshakeAckPacket,
  heartbeatPacket,
  MessageType,
  PacketStreamDecoder,
  PacketType,
} from '@pitaya-ts/protocol';
import { bootstrap, Handler, Request, TcpAcceptor, type PitayaApp } from '@pitaya-ts/core';
import { waitFor } from '@pitaya-ts/testing';

const INTERVAL = 200;

@Handler('busy')
class BusyHandler {
  /** Blocks the whole process, as a long synchronous job or a GC pause would. */
  @Request()
  spin(body: { ms: number }) {
    const until = Date.now() + body.ms;
    while (Date.now() < until);
    return { spun: body.ms };
  }
}

describe('heartbeats after the server stalls', () => {
  let app: PitayaApp;

  beforeAll(async () => {
    app = await bootstrap({
      serverType: 'busy',
      handlers: [BusyHandler],
      acceptors: [new TcpAcceptor({ host: '127.0.0.1', port: 0 })],
      config: { 'pitaya.log.level': 'silent', 'pitaya.heartbeat.interval': `${INTERVAL}ms` },
      handleSignals: false,
    });
    await app.start();
  });

  afterAll(() => app.stop());

  it('does not close clients that kept heartbeating while the server could not read them', async () => {
    const socket = net.connect(app.acceptors[0]!.address()!.port, '127.0.0.1');
    const decoder = new PacketStreamDecoder();
    const received: number[] = [];
    let closed = false;
    socket.on('data', (chunk) => received.push(...decoder.push(chunk).map((p) => p.type)));
    socket.on('close', () => (closed = true));
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      encodePacket(PacketType.Handshake, encodeHandshakeRequest({ sys: { platform: 'test', libVersion: '1' } })),
    );
    await waitFor(() => received.includes(PacketType.Handshake), 'the handshake reply');
    socket.write(handshakeAckPacket());
    const beat = setInterval(() => socket.write(heartbeatPacket()), INTERVAL / 2);

    // the server is stuck for five intervals: the ticker fires late, before the heartbeats are read
    const request = {
      type: MessageType.Request,
      id: 1,
      route: 'busy.busy.spin',
      body: Buffer.from('{"ms":1000}'),
      error: false,
    };
    socket.write(encodeDataPacket(request));
    await waitFor(() => received.includes(PacketType.Data), 'the answer');
    // the late tick after the stall judges nobody; the heartbeat of the next one, which does, comes too
    const heartbeatsAfterAnswer = () =>
      received.slice(received.indexOf(PacketType.Data)).filter((type) => type === PacketType.Heartbeat).length;
    await waitFor(() => closed || heartbeatsAfterAnswer() >= 2, 'two heartbeats after the stall');
    clearInterval(beat);
    expect(closed).toBe(false);
    expect(app.sessions.count).toBe(1);

    // and a client that really went silent is still closed after two intervals
    await waitFor(() => closed, 'the silent client to be closed');
    expect(closed).toBe(true);
  });
});
