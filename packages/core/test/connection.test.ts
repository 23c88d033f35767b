import 'reflect-metadata';
import {
  decodeHandshakeResponse,
  decodeMessage,
  encodeDataPacket,
  encodePacket,
  heartbeatPacket,
  MessageType,
  PacketType,
} from '@pitaya-ts/protocol';
import { Handler } from '@pitaya-ts/core';
import { Harness, RawClient, tcpAcceptor, waitFor } from './helpers';

const harness = new Harness();
afterEach(() => harness.cleanup());
afterEach(() => RawClient.destroyAll());

@Handler()
class EchoHandler {
  echo(body: unknown): unknown {
    return body;
  }
}

const request = (route: string, body: unknown, id = 1) =>
  encodeDataPacket({
    type: MessageType.Request,
    id,
    route,
    body: new TextEncoder().encode(JSON.stringify(body)),
    error: false,
  });

describe('connections', () => {
  it('closes a connection that does not handshake within pitaya.handshake.timeout', async () => {
    const app = await harness.server({ acceptors: [tcpAcceptor()], config: { 'pitaya.handshake.timeout': '100ms' } });
    const raw = await RawClient.open(app);
    const started = Date.now();
    await waitFor(() => app.sessions.count === 1, 'the session');
    const closedAt = await raw.closed;
    // closed at all: nothing else closes a connection this early (heartbeats judge after 60 s)
    expect(closedAt - started).toBeGreaterThanOrEqual(80);
    await waitFor(() => app.sessions.count === 0, 'the session to close');
  });

  it('announces pitaya.heartbeat.interval and closes a client silent for two intervals', async () => {
    const app = await harness.server({
      handlers: [EchoHandler],
      acceptors: [tcpAcceptor()],
      config: { 'pitaya.heartbeat.interval': '100ms' },
    });
    const silent = await RawClient.open(app);
    const reply = await silent.handshake();
    const silentSince = Date.now();
    expect(reply.code).toBe(200);
    expect(reply.sys?.heartbeat).toBe(0.1);

    // a client that heartbeats stays, and hears the server's heartbeats
    const lively = await RawClient.open(app);
    await lively.handshake();
    const beat = setInterval(() => lively.send(heartbeatPacket()), 50);
    try {
      const silentFor = (await silent.closed) - silentSince;
      expect(silentFor).toBeGreaterThanOrEqual(190);
      // the server heartbeats only whom it judged alive: two more of them, two more judgements passed
      const heartbeats = () => lively.packets.filter((p) => p.type === PacketType.Heartbeat).length;
      const heard = heartbeats();
      await waitFor(() => heartbeats() >= heard + 2, 'two more heartbeats');
      expect(lively.socket.destroyed).toBe(false);
      expect(heartbeats()).toBeGreaterThan(0);
    } finally {
      clearInterval(beat);
    }
  });

  it('answers requests from a hand-written client', async () => {
    const app = await harness.server({ handlers: [EchoHandler], acceptors: [tcpAcceptor()] });
    const raw = await RawClient.open(app);
    await raw.handshake();
    raw.send(request('game.echo.echo', { hi: 1 }, 7));
    await waitFor(() => raw.packets.some((p) => p.type === PacketType.Data), 'the response');
    const response = decodeMessage(raw.packets.find((p) => p.type === PacketType.Data)!.body);
    expect(response).toMatchObject({ type: MessageType.Response, id: 7, error: false });
    expect(JSON.parse(new TextDecoder().decode(response.body))).toEqual({ hi: 1 });
  });

  it('refuses a handshake that is not JSON with code 400, then closes', async () => {
    const app = await harness.server({ handlers: [EchoHandler], acceptors: [tcpAcceptor()] });
    const raw = await RawClient.open(app);
    raw.send(encodePacket(PacketType.Handshake, new TextEncoder().encode('{not json')));
    await raw.closed;
    const reply = raw.packets.find((p) => p.type === PacketType.Handshake);
    expect(decodeHandshakeResponse(reply!.body).code).toBe(400);
  });

  it('closes the connection on a second handshake', async () => {
    const app = await harness.server({ handlers: [EchoHandler], acceptors: [tcpAcceptor()] });
    const raw = await RawClient.open(app);
    await raw.handshake();
    raw.send(encodePacket(PacketType.Handshake, new TextEncoder().encode('{"sys":{}}')));
    await raw.closed;
  });

  it.each([
    ['data before the handshake', () => request('game.echo.echo', {})],
    ['a handshake ack before the handshake', () => encodePacket(PacketType.HandshakeAck)],
    ['an unknown packet type', () => new Uint8Array([9, 0, 0, 0])],
  ])('closes the connection on %s', async (_what, bytes) => {
    const app = await harness.server({ handlers: [EchoHandler], acceptors: [tcpAcceptor()] });
    const raw = await RawClient.open(app);
    raw.send(bytes());
    await raw.closed;
    await waitFor(() => app.sessions.count === 0, 'the session to close');
  });

  it('closes a connection sending a packet larger than pitaya.conn.maxpacketsize', async () => {
    const app = await harness.server({
      handlers: [EchoHandler],
      acceptors: [tcpAcceptor()],
      config: { 'pitaya.conn.maxpacketsize': 256 },
    });
    const raw = await RawClient.open(app);
    await raw.handshake();
    raw.send(request('game.echo.echo', { small: true }, 1));
    await waitFor(() => raw.packets.some((p) => p.type === PacketType.Data), 'the small answer');
    raw.send(request('game.echo.echo', { big: 'x'.repeat(400) }, 2));
    await raw.closed;
  });
});
