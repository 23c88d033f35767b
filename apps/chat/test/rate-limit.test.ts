import 'reflect-metadata';
import { Message, Package } from 'pinus-protocol';
import { bootstrap, RateLimitingAcceptor, TcpAcceptor, WsAcceptor } from '@pitaya-ts/core';
import { RoomHandler } from '../src/room.handler';
import { clientPeer, closeAll, join, serverOf, TRANSPORTS, type ChatServer } from './helpers';
import { PinusClient, type PinusResponse } from './pinus-client';

const LIMIT = 5;
const INTERVAL_MS = 1000;

/** The chat's handler behind rate-limited acceptors (the chat app itself does not limit). */
async function startLimitedChat(config: Record<string, unknown> = {}): Promise<ChatServer> {
  const rate = { limit: LIMIT, intervalMs: INTERVAL_MS };
  const app = await bootstrap({
    serverType: 'chat',
    handlers: [RoomHandler],
    acceptors: [
      new RateLimitingAcceptor(new WsAcceptor({ host: '127.0.0.1', port: 0 }), rate),
      new RateLimitingAcceptor(new TcpAcceptor({ host: '127.0.0.1', port: 0 }), rate),
    ],
    config: { 'pitaya.log.level': 'silent', ...config },
    handleSignals: false,
  });
  await app.start();
  return serverOf(app);
}

const leave = (id: number) =>
  Package.encode(
    Package.TYPE_DATA,
    Message.encode(id, Message.TYPE_REQUEST, false, 'chat.room.leave', Buffer.from('{}')),
  );

/** Ids of the requests answered so far. */
function answeredIds(client: PinusClient): number[] {
  return client.received.filter((p) => p.type === Package.TYPE_DATA).map((p) => Message.decode(p.body).id);
}

/** Waits one interval: every slot taken before now is free again. */
const slotsFree = () => new Promise((resolve) => setTimeout(resolve, INTERVAL_MS));

/** Sends a request the bucket lets through; resolves with its response. */
async function requestOnceAllowed(client: PinusClient, id: number): Promise<PinusResponse> {
  await slotsFree();
  client.sendBytes(leave(id));
  await client.waitForCount(Package.TYPE_DATA, client.count(Package.TYPE_DATA) + 1, 10_000);
  const answer = client.received.filter((p) => p.type === Package.TYPE_DATA).at(-1)!;
  return { id, error: false, body: JSON.parse(Message.decode(answer.body).body.toString()) };
}

describe.each(TRANSPORTS)('rate limiting over %s', (transport) => {
  let server: ChatServer;
  const open: { close(): Promise<void> }[] = [];

  afterEach(async () => {
    await closeAll(...open.splice(0));
    await server.stop();
  });

  async function pinus(): Promise<PinusClient> {
    const client = await PinusClient.connect(transport, server.port(transport));
    open.push(client);
    return client;
  }

  it(`answers ${LIMIT} requests of a burst and drops the rest, per connection`, async () => {
    server = await startLimitedChat();
    const flooder = await pinus();
    const other = await clientPeer(server, transport);
    open.push(other);

    flooder.sendBytes(Buffer.concat(Array.from({ length: 8 }, (_, i) => leave(i + 1))));
    await flooder.waitForCount(Package.TYPE_DATA, LIMIT);
    // the flooder's bucket is its own: another connection is answered meanwhile
    await expect(join(other, 'other')).resolves.toEqual(['other']);

    // once slots free up, a later request is answered; answers come in order, so 6..8 never will be
    await expect(requestOnceAllowed(flooder, 100)).resolves.toMatchObject({ body: { ok: true } });
    expect(answeredIds(flooder)).toEqual([1, 2, 3, 4, 5, 100]);
    expect(flooder.isClosed).toBe(false);
  });

  it('drops excess notifies too: the room sees only the allowed messages', async () => {
    server = await startLimitedChat();
    const talker = await pinus();
    const listener = await clientPeer(server, transport);
    open.push(listener);
    await expect(talker.request('chat.room.join', { name: 'talker' })).resolves.toMatchObject({ error: false });
    await join(listener, 'listener');
    // the join took one slot
    for (let i = 0; i < LIMIT + 3; i++) talker.notify('chat.room.send', { text: `m${i}` });
    for (let i = 0; i < LIMIT - 1; i++) {
      await expect(listener.nextPush('onMessage')).resolves.toEqual({ from: 'talker', text: `m${i}` });
    }
    // a message let through later is the next the room sees: the dropped ones never came
    await slotsFree();
    talker.notify('chat.room.send', { text: 'later' });
    await expect(listener.nextPush('onMessage')).resolves.toEqual({ from: 'talker', text: 'later' });
    expect(listener.pending('onMessage')).toEqual([]);
  });

  it('never counts heartbeats', async () => {
    server = await startLimitedChat();
    const client = await pinus();
    client.sendBytes(Buffer.concat(Array.from({ length: 3 * LIMIT }, () => Package.encode(Package.TYPE_HEARTBEAT))));
    client.sendBytes(Buffer.concat(Array.from({ length: LIMIT }, (_, i) => leave(i + 1))));
    await client.waitForCount(Package.TYPE_DATA, LIMIT);
    expect(answeredIds(client)).toEqual([1, 2, 3, 4, 5]);
  });

  it('lets everything through with pitaya.conn.ratelimiting.forcedisable', async () => {
    server = await startLimitedChat({ 'pitaya.conn.ratelimiting.forcedisable': true });
    const client = await pinus();
    client.sendBytes(Buffer.concat(Array.from({ length: 3 * LIMIT }, (_, i) => leave(i + 1))));
    await client.waitForCount(Package.TYPE_DATA, 3 * LIMIT);
    expect(answeredIds(client)).toEqual(Array.from({ length: 3 * LIMIT }, (_, i) => i + 1));
  });
});
