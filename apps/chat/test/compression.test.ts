import 'reflect-metadata';
import { Message, Package } from 'pinus-protocol';
import {
  clientPeer,
  closeAll,
  exchange,
  join,
  pinusPeer,
  startChat,
  TRANSPORTS,
  type ChatServer,
  type InboundPacket,
  type Peer,
  withTimeout,
} from './helpers';
import { PinusClient } from './pinus-client';

// createChatServer numbers its routes from 1, in this order
const DICT = {
  'chat.room.join': 1,
  'chat.room.send': 2,
  'chat.room.leave': 3,
  onJoin: 4,
  onMessage: 5,
  onLeave: 6,
};
const LONG_TEXT = 'a long and repetitive message '.repeat(16);

describe.each(TRANSPORTS)('route and body compression over %s', (transport) => {
  let server: ChatServer;
  let inbound: InboundPacket[];
  const open: { close(): Promise<void> }[] = [];

  beforeEach(async () => {
    inbound = [];
    server = await startChat({}, { inbound });
  });

  afterEach(async () => {
    await closeAll(...open.splice(0));
    await server.stop();
  });

  async function track<T extends { close(): Promise<void> }>(p: Promise<T>): Promise<T> {
    const value = await p;
    open.push(value);
    return value;
  }

  /** The Data messages the server received, decoded by pinus-protocol, with their raw flag. */
  function received() {
    return inbound
      .filter((r) => r.packet.type === Package.TYPE_DATA)
      .map((r) => ({ ...Message.decode(Buffer.from(r.packet.body)), flag: r.packet.body[0]! }));
  }

  it('gives packages/client the dictionary, and it sends dictionary routes as codes', async () => {
    const ana = await track(clientPeer(server, transport));
    expect(ana.client.handshake?.sys).toMatchObject({ dict: DICT, useDict: true, serializer: 'json' });

    await expect(join(ana, 'ana')).resolves.toEqual(['ana']);
    await exchange(ana, 'ana', [ana], 'compressed');
    await expect(ana.request('chat.room.nope')).rejects.toMatchObject({ code: 'PIT-404' });
    expect(received().map((m) => [m.compressRoute, m.route])).toEqual([
      [1, DICT['chat.room.join']],
      [1, DICT['chat.room.send']],
      [0, 'chat.room.nope'], // not in the dictionary: sent as a string
    ]);
  });

  it('sends pushes with route codes to pinus clients, which map them back with sys.dict', async () => {
    const pomelo = await track(PinusClient.connect(transport, server.port(transport)));
    const pitaya = await track(PinusClient.connect(transport, server.port(transport), { handshake: 'libpitaya' }));
    for (const c of [pomelo, pitaya]) expect(c.handshakeReply.sys?.dict).toEqual(DICT);
    await pomelo.request('chat.room.join', { name: 'pomelo' });
    await pitaya.request('chat.room.join', { name: 'pitaya' });
    pitaya.notify('chat.room.send', { text: 'hi' });
    await pitaya.request('chat.room.leave');

    const pushes = [
      await pomelo.nextPush('onJoin'),
      await pomelo.nextPush('onMessage'),
      await pitaya.nextPush('onMessage'),
      await pomelo.nextPush('onLeave'),
    ];
    expect(pushes.map((p) => [p.route, p.compressedRoute])).toEqual([
      ['onJoin', true],
      ['onMessage', true],
      ['onMessage', true],
      ['onLeave', true],
    ]);
    expect(pushes.map((p) => p.body)).toEqual([
      { name: 'pitaya' },
      { from: 'pitaya', text: 'hi' },
      { from: 'pitaya', text: 'hi' },
      { name: 'pitaya' },
    ]);
  });

  it('reads requests and notifies that a pinus client sends with route codes', async () => {
    const a = await track(pinusPeer(server, transport, { useDict: true }));
    const b = await track(pinusPeer(server, transport, { handshake: 'libpitaya', useDict: true }));
    await expect(join(a, 'a')).resolves.toEqual(['a']);
    await expect(join(b, 'b')).resolves.toEqual(['a', 'b']);
    await exchange(b, 'b', [a, b], 'by code');
    await expect(b.request('chat.room.leave')).resolves.toEqual({ ok: true });
    expect(received().map((m) => [m.compressRoute, m.route])).toEqual([
      [1, DICT['chat.room.join']],
      [1, DICT['chat.room.join']],
      [1, DICT['chat.room.send']],
      [1, DICT['chat.room.leave']],
    ]);
  });

  it('closes a connection that sends an unknown route code, as Pitaya does, and only that one', async () => {
    const other = await track(pinusPeer(server, transport, { useDict: true }));
    await join(other, 'other');
    const c = await track(PinusClient.connect(transport, server.port(transport)));
    c.sendPacket(Package.TYPE_DATA, Message.encode(1, Message.TYPE_REQUEST, true, 999, Buffer.from('{}')));
    await withTimeout(c.closed, 1000, 'the server to close the connection');
    expect(c.received.filter((p) => p.type === Package.TYPE_DATA)).toEqual([]);
    await exchange(other, 'other', [other], 'unaffected');
  });

  it('zlibs large bodies towards Pitaya clients only, never towards pomelo ones', async () => {
    const pomelo = await track(PinusClient.connect(transport, server.port(transport)));
    const pitaya = await track(PinusClient.connect(transport, server.port(transport), { handshake: 'libpitaya' }));
    const sdk = await track(clientPeer(server, transport));
    // the handshake reply too: JSON for pomelo, zlib for Pitaya (when smaller), same content
    expect(pomelo.handshakeCompressed).toBe(false);
    expect(pitaya.handshakeCompressed).toBe(true);
    expect(pitaya.handshakeReply).toEqual(pomelo.handshakeReply);

    await pomelo.request('chat.room.join', { name: 'pomelo' });
    await pitaya.request('chat.room.join', { name: 'pitaya' });
    await join(sdk, 'sdk');
    sdk.notify('chat.room.send', { text: LONG_TEXT });
    const [toPomelo, toPitaya] = [await pomelo.nextPush('onMessage'), await pitaya.nextPush('onMessage')];
    await expect(sdk.nextPush('onMessage')).resolves.toEqual({ from: 'sdk', text: LONG_TEXT });
    expect(toPomelo).toMatchObject({ compressedBody: false, body: { from: 'sdk', text: LONG_TEXT } });
    expect(toPitaya).toMatchObject({ compressedBody: true, body: { from: 'sdk', text: LONG_TEXT } });

    // a short body is not worth it
    sdk.notify('chat.room.send', { text: 'short' });
    await expect(pitaya.nextPush('onMessage')).resolves.toMatchObject({ compressedBody: false });
  });

  it('inflates request bodies that packages/client zlibs with compress: true', async () => {
    const sdk = await track(clientPeer(server, transport, { compress: true }));
    const other = await track(clientPeer(server, transport));
    await join(sdk, 'sdk');
    await join(other, 'other');
    await exchange(sdk, 'sdk', [sdk, other], LONG_TEXT);
    const send = received().find((m) => m.route === DICT['chat.room.send'])!;
    expect(send.flag & 0x10).toBe(0x10);
  });
});

describe('without compression', () => {
  let server: ChatServer;
  let peers: Peer[] = [];

  afterEach(async () => {
    await closeAll(...peers);
    peers = [];
    await server.stop();
  });

  it('sends Pitaya clients plain handshakes and bodies with pitaya.handler.messages.compression off', async () => {
    server = await startChat({ 'pitaya.handler.messages.compression': false });
    const pitaya = await PinusClient.connect('tcp', server.port('tcp'), { handshake: 'libpitaya' });
    const sdk = await clientPeer(server, 'ws');
    peers.push(sdk);
    expect(pitaya.handshakeCompressed).toBe(false);
    await pitaya.request('chat.room.join', { name: 'pitaya' });
    await join(sdk, 'sdk');
    sdk.notify('chat.room.send', { text: LONG_TEXT });
    await expect(pitaya.nextPush('onMessage')).resolves.toMatchObject({ compressedBody: false, compressedRoute: true });
    await pitaya.close();
  });
});
