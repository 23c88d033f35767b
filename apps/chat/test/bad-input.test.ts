import 'reflect-metadata';
import { Message, Package } from 'pinus-protocol';
import {
  bystanders,
  closeAll,
  exchange,
  startChat,
  TRANSPORTS,
  withTimeout,
  type ChatServer,
  type Peer,
} from './helpers';
import { PinusClient, type HandshakeKind, type Transport } from './pinus-client';

const MAX_PACKET = 1024;
const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const request = (id: number, route: string, body: Buffer) =>
  Package.encode(Package.TYPE_DATA, Message.encode(id, Message.TYPE_REQUEST, false, route, body));
/** A join request whose packet, header included, is exactly `size` bytes. */
const joinOfSize = (size: number) => {
  const overhead = request(1, 'chat.room.join', json({ name: '' })).length;
  return request(1, 'chat.room.join', json({ name: 'x'.repeat(size - overhead) }));
};

interface Offence {
  title: string;
  handshake: HandshakeKind;
  ack?: boolean;
  only?: Transport;
  act: (client: PinusClient) => void;
}

const offences: Offence[] = [
  {
    title: 'garbage bytes instead of a handshake',
    handshake: 'none',
    act: (c) => c.sendBytes(Buffer.from('GET / HTTP/1.1\r\n\r\n')),
  },
  {
    title: 'garbage bytes after the handshake',
    handshake: 'pomelo',
    act: (c) => c.sendBytes(Buffer.from([0xde, 0xad, 0xbe, 0xef, 0, 1])),
  },
  {
    title: 'an unknown packet type (0x09)',
    handshake: 'pomelo',
    act: (c) => c.sendBytes(Buffer.from([0x09, 0, 0, 0])),
  },
  { title: 'packet type 0x00', handshake: 'libpitaya', act: (c) => c.sendBytes(Buffer.from([0x00, 0, 0, 1, 0x7b])) },
  { title: 'a Kick packet from a client', handshake: 'pomelo', act: (c) => c.sendPacket(Package.TYPE_KICK) },
  {
    title: 'Data before the handshake ack',
    handshake: 'pomelo',
    ack: false,
    act: (c) => c.sendBytes(request(1, 'chat.room.join', json({ name: 'eve' }))),
  },
  {
    title: 'Data before any handshake',
    handshake: 'none',
    act: (c) => c.sendBytes(request(1, 'chat.room.join', json({ name: 'eve' }))),
  },
  {
    title: 'a HandshakeAck without a handshake, then Data',
    handshake: 'none',
    act: (c) => {
      c.sendPacket(Package.TYPE_HANDSHAKE_ACK);
      c.sendBytes(request(1, 'chat.room.join', json({ name: 'eve' })));
    },
  },
  {
    title: 'a second handshake',
    handshake: 'pomelo',
    act: (c) => c.sendPacket(Package.TYPE_HANDSHAKE, json({ sys: { type: 'js-websocket' } })),
  },
  { title: 'an oversize packet', handshake: 'pomelo', act: (c) => c.sendBytes(joinOfSize(MAX_PACKET + 1)) },
  {
    title: 'a header announcing an oversize body, the body never sent',
    handshake: 'pomelo',
    act: (c) => c.sendBytes(Buffer.from([Package.TYPE_DATA, 0xff, 0xff, 0xff])),
  },
  {
    title: 'a text frame',
    handshake: 'pomelo',
    only: 'ws',
    act: (c) => c.sendText('{"sys":{}}'),
  },
];

describe.each(TRANSPORTS)('bad input over %s', (transport) => {
  let server: ChatServer;
  let bob: Peer;
  let carol: Peer;
  let offender: PinusClient | undefined;

  beforeEach(async () => {
    server = await startChat({ 'pitaya.conn.maxpacketsize': MAX_PACKET });
    [bob, carol] = await bystanders(server, transport);
  });

  afterEach(async () => {
    await closeAll(offender, bob, carol);
    offender = undefined;
    await server.stop();
  });

  /** The two others still chat both ways, and nobody left the room. */
  async function othersStillChat(): Promise<void> {
    await exchange(bob, 'bob', [bob, carol], 'still here?');
    await exchange(carol, 'carol', [bob, carol], 'still here.');
    expect([...bob.pending('onLeave'), ...carol.pending('onLeave')]).toEqual([]);
    expect(await server.app.groups.members('room')).toEqual(['bob', 'carol']);
  }

  const cases = offences.filter((o) => !o.only || o.only === transport);
  it.each(cases)('closes only the sender of $title', async ({ handshake, ack, act }) => {
    offender = await PinusClient.connect(transport, server.port(transport), { handshake, ack });
    act(offender);
    // promptly: well before the 1 s after which the server cuts off a peer that does not finish closing
    await withTimeout(offender.closed, 800, 'the server to close the offender');
    // no answer to anything it sent, no kick
    expect(offender.received.filter((p) => p.type !== Package.TYPE_HANDSHAKE)).toEqual([]);
    await othersStillChat();
  });

  it('announces promptly that a member who sent garbage left', async () => {
    offender = await PinusClient.connect(transport, server.port(transport));
    await expect(offender.request('chat.room.join', { name: 'eve' })).resolves.toMatchObject({ error: false });
    await expect(bob.nextPush('onJoin')).resolves.toEqual({ name: 'eve' });
    await expect(carol.nextPush('onJoin')).resolves.toEqual({ name: 'eve' });
    offender.sendBytes(Buffer.from([0x09, 0, 0, 0]));
    await withTimeout(offender.closed, 800, 'the server to close the offender');
    // the server's side of the connection is gone too: the session closed and the room was told
    await expect(bob.nextPush('onLeave', 800)).resolves.toEqual({ name: 'eve' });
    await expect(carol.nextPush('onLeave', 800)).resolves.toEqual({ name: 'eve' });
    await othersStillChat();
  });

  it('answers a handshake that is not JSON with code 400, then closes', async () => {
    offender = await PinusClient.connect(transport, server.port(transport), { handshake: 'none' });
    offender.sendPacket(Package.TYPE_HANDSHAKE, Buffer.from('{"sys": nope'));
    const reply = await offender.nextPacket(Package.TYPE_HANDSHAKE);
    expect(JSON.parse(reply.body.toString())).toEqual({ code: 400 });
    await withTimeout(offender.closed, 2000, 'the server to close the offender');
    await othersStillChat();
  });

  it('answers a handshake whose sys is not an object with code 400, then closes', async () => {
    offender = await PinusClient.connect(transport, server.port(transport), { handshake: 'none' });
    offender.sendPacket(Package.TYPE_HANDSHAKE, json({ sys: 'pomelo', user: {} }));
    const reply = await offender.nextPacket(Package.TYPE_HANDSHAKE);
    expect(JSON.parse(reply.body.toString())).toMatchObject({ code: 400 });
    await withTimeout(offender.closed, 2000, 'the server to close the offender');
    await othersStillChat();
  });

  it('answers a body that is not JSON with PIT-400 and keeps the connection', async () => {
    offender = await PinusClient.connect(transport, server.port(transport));
    const response = await offender.requestBytes('chat.room.join', Buffer.from('{"name":'));
    expect(response).toMatchObject({ error: true, body: { code: 'PIT-400' } });
    await expect(offender.request('chat.room.join', { name: 'eve' })).resolves.toMatchObject({
      error: false,
      body: { members: ['bob', 'carol', 'eve'] },
    });
    await expect(bob.nextPush('onJoin')).resolves.toEqual({ name: 'eve' });
    await expect(carol.nextPush('onJoin')).resolves.toEqual({ name: 'eve' });
    expect(offender.isClosed).toBe(false);
    await exchange(bob, 'bob', [bob, carol], 'welcome eve');
    await expect(offender.nextPush('onMessage')).resolves.toMatchObject({ body: { from: 'bob', text: 'welcome eve' } });
  });

  it('accepts a packet of exactly the largest size', async () => {
    offender = await PinusClient.connect(transport, server.port(transport));
    offender.sendBytes(joinOfSize(MAX_PACKET));
    // a name that long fails validation, but the packet was read and answered
    const reply = await offender.nextPacket(Package.TYPE_DATA);
    expect(JSON.parse(Message.decode(reply.body).body.toString())).toMatchObject({ code: 'PIT-400' });
    expect(offender.isClosed).toBe(false);
    await othersStillChat();
  });

  it('reads packets split across writes and packets sharing one write', async () => {
    offender = await PinusClient.connect(transport, server.port(transport), { handshake: 'none' });
    const handshake = Package.encode(Package.TYPE_HANDSHAKE, json({ sys: { type: 'js-websocket', version: '0.0.1' } }));
    for (const byte of handshake) offender.sendBytes(Buffer.from([byte]));
    await offender.nextPacket(Package.TYPE_HANDSHAKE);
    // the ack and two requests in one write
    offender.sendBytes(
      Buffer.concat([
        Package.encode(Package.TYPE_HANDSHAKE_ACK),
        request(7, 'chat.room.leave', json({})),
        request(8, 'chat.room.nope', json({})),
      ]),
    );
    const first = Message.decode((await offender.nextPacket(Package.TYPE_DATA)).body);
    const second = Message.decode((await offender.nextPacket(Package.TYPE_DATA)).body);
    expect([first.id, JSON.parse(first.body.toString())]).toEqual([7, { ok: true }]);
    expect([second.id, JSON.parse(second.body.toString())]).toEqual([8, expect.objectContaining({ code: 'PIT-404' })]);
    await othersStillChat();
  });
});
