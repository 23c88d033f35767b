import { MessageType, PacketType, type HandshakeResponse } from '@pitaya-ts/protocol';
import { ClientError, connect, PitayaError, type PitayaClient } from '@pitaya-ts/client';
import { waitFor } from '@pitaya-ts/testing';
import { ScriptedServer, type ScriptOptions, type TransportKind } from './scripted-server';

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const reply = (sys: Record<string, unknown> = {}): HandshakeResponse => ({
  code: 200,
  sys: { heartbeat: 30, dict: {}, serializer: 'json', ...sys },
});

describe.each<TransportKind>(['ws', 'tcp'])('client over %s', (kind) => {
  let server: ScriptedServer;
  let client: PitayaClient | undefined;

  async function start(options: ScriptOptions = {}): Promise<void> {
    server = await ScriptedServer.start(kind, options);
  }

  afterEach(async () => {
    await client?.close();
    client = undefined;
    await server?.close();
  });

  it('handshakes with Pitaya sys keys and the handshake data, then acks', async () => {
    await start();
    client = await connect(server.url, { handshakeData: { age: 30 } });
    const connection = await server.connection();
    await connection.nextPacket(PacketType.HandshakeAck);
    expect(connection.handshake).toEqual({
      sys: expect.objectContaining({
        platform: 'node',
        libVersion: expect.any(String),
        clientVersion: expect.any(String),
      }),
      user: { age: 30 },
    });
    expect(client.handshake?.code).toBe(200);
    expect(client.serializerName).toBe('json');
  });

  it('resolves a request with the decoded response', async () => {
    await start({ onRequest: (m) => json({ route: m.route, got: JSON.parse(text(m.body)) }) });
    client = await connect(server.url);
    await expect(client.request('room.room.join', { name: 'ana' })).resolves.toEqual({
      route: 'room.room.join',
      got: { name: 'ana' },
    });
  });

  it('matches concurrent responses to their requests by id, whatever their order', async () => {
    await start();
    client = await connect(server.url);
    const first = client.request('a.b.c', { n: 1 });
    const second = client.request('a.b.c', { n: 2 });
    const connection = await server.connection();
    const [m1, m2] = [await connection.message(0), await connection.message(1)];
    expect(m1.id).not.toBe(m2.id);
    connection.respondJson(m2.id, 'two');
    connection.respondJson(m1.id, 'one');
    await expect(Promise.all([first, second])).resolves.toEqual(['one', 'two']);
  });

  it('rejects with code, msg and metadata on an error response', async () => {
    await start({
      onRequest: () => undefined,
    });
    client = await connect(server.url);
    const pending = client.request('room.room.join', {});
    const connection = await server.connection();
    const message = await connection.message(0);
    connection.respond(message.id, json({ code: 'PIT-404', msg: 'route not found', metadata: { route: 'x' } }), {
      error: true,
    });
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PitayaError);
    expect(error).toMatchObject({ code: 'PIT-404', msg: 'route not found', metadata: { route: 'x' } });
  });

  it('sends a notify with its route and body and no id', async () => {
    await start();
    client = await connect(server.url);
    client.notify('chat.room.send', { text: 'hi' });
    const message = await (await server.connection()).message(0);
    expect(message).toMatchObject({ type: MessageType.Notify, id: 0, route: 'chat.room.send' });
    expect(JSON.parse(text(message.body))).toEqual({ text: 'hi' });
  });

  it('delivers pushes to the handlers of their route until unsubscribed', async () => {
    await start({ onRequest: () => json('synced') });
    client = await connect(server.url);
    const got: unknown[] = [];
    const stop = client.on('onMessage', (body) => got.push(body));
    client.on('other', () => got.push('wrong route'));
    const connection = await server.connection();
    connection.push('onMessage', json({ from: 'ana', text: 'hi' }));
    await client.request('sync', {}); // answered after the push: the push has been handled by then
    stop();
    connection.push('onMessage', json({ from: 'ana', text: 'again' }));
    await client.request('sync', {});
    expect(got).toEqual([{ from: 'ana', text: 'hi' }]);
  });

  it('delivers every push to onAnyPush listeners with its route, until unsubscribed', async () => {
    await start({ handshake: reply({ dict: { onJoin: 1 } }), onRequest: () => json('synced') });
    client = await connect(server.url);
    const got: unknown[] = [];
    const byRoute: unknown[] = [];
    const stop = client.onAnyPush((route, body) => got.push([route, body]));
    client.on('onJoin', (body) => byRoute.push(body));
    const connection = await server.connection();
    connection.push('onJoin', json({ name: 'bo' })); // a compressed route arrives by its name
    connection.push('anything.at.all', json({ n: 1 }));
    await client.request('sync', {}); // answered after the pushes: they have been handled by then
    stop();
    connection.push('onJoin', json({ name: 'cy' }));
    await client.request('sync', {});
    expect(got).toEqual([
      ['onJoin', { name: 'bo' }],
      ['anything.at.all', { n: 1 }],
    ]);
    expect(byRoute).toEqual([{ name: 'bo' }, { name: 'cy' }]);
  });

  it('compresses routes with the handshake dictionary, both ways', async () => {
    const dict = { 'room.room.join': 1, onJoin: 2 };
    await start({ handshake: reply({ dict }), onRequest: () => json({ ok: true }) });
    client = await connect(server.url);
    const pushes: unknown[] = [];
    client.on('onJoin', (b) => pushes.push(b));
    await expect(client.request('room.room.join', {})).resolves.toEqual({ ok: true });
    const connection = await server.connection();
    const data = connection.packets.find((p) => p.type === PacketType.Data)!;
    expect(data.body[0]! & 0x01).toBe(1); // compressed route flag
    expect(Array.from(data.body.subarray(2, 4))).toEqual([0x00, 0x01]);
    connection.push('onJoin', json({ name: 'bo' }));
    await client.request('room.room.join', {}); // answered after the push: the push has been handled by then
    expect(pushes).toEqual([{ name: 'bo' }]);
  });

  it('ignores the dictionary when libpitaya useDict is false', async () => {
    await start({ handshake: reply({ dict: { 'a.b.c': 1 }, useDict: false }) });
    client = await connect(server.url);
    client.notify('a.b.c', {});
    expect((await (await server.connection()).message(0)).route).toBe('a.b.c');
  });

  it('inflates zlib bodies, and compresses its own when asked', async () => {
    const big = { members: new Array(100).fill('someone') };
    await start({ onRequest: () => undefined });
    client = await connect(server.url, { compress: true });
    const pending = client.request('room.room.members', big);
    const connection = await server.connection();
    const message = await connection.message(0);
    const raw = connection.packets.find((p) => p.type === PacketType.Data)!;
    expect(raw.body[0]! & 0x10).toBe(0x10);
    expect(JSON.parse(text(message.body))).toEqual(big);
    connection.respond(message.id, json(big), { compress: true });
    await expect(pending).resolves.toEqual(big);
  });

  it('times a request out, and ignores its late answer', async () => {
    await start();
    client = await connect(server.url);
    const error = await client.request('slow.route', {}, { timeout: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientError);
    expect(error).toMatchObject({ code: 'TIMEOUT' });
    const connection = await server.connection();
    connection.respondJson((await connection.message(0)).id, 'late');
    // the next answer comes after the late one: the late one has been read by then
    const next = client.request('next.route', {});
    connection.respondJson((await connection.message(1)).id, 'next');
    await expect(next).resolves.toBe('next');
    expect(client.connected).toBe(true);
  });

  it('emits kick with the reason, closes, and does not reconnect', async () => {
    await start();
    client = await connect(server.url, { reconnect: { minDelay: 10 } });
    const attempts: number[] = [];
    client.events.on('reconnecting', (attempt) => attempts.push(attempt));
    const kicked = new Promise((resolve) => client!.events.once('kick', resolve));
    const closed = new Promise((resolve) =>
      client!.events.once('close', (reason, again) => resolve({ reason, again })),
    );
    (await server.connection()).kick('duplicate login');
    await expect(kicked).resolves.toBe('duplicate login');
    await expect(closed).resolves.toEqual({ reason: expect.objectContaining({ code: 'KICKED' }), again: false });
    // a reconnect would have been decided when the close was announced: none was
    expect(attempts).toEqual([]);
    expect(server.connections).toHaveLength(1);
    await expect(client.request('a.b.c', {})).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
  });

  it("takes Pitaya's empty kick too", async () => {
    await start();
    client = await connect(server.url);
    const kicked = new Promise((resolve) => client!.events.once('kick', resolve));
    (await server.connection()).kick();
    await expect(kicked).resolves.toBeUndefined();
  });

  it("sends heartbeats at the server's interval", async () => {
    await start({ handshake: reply({ heartbeat: 0.05 }) });
    client = await connect(server.url);
    const connection = await server.connection();
    const keepAlive = setInterval(() => connection.heartbeat(), 40);
    const heartbeats = () => connection.packets.filter((p) => p.type === PacketType.Heartbeat).length;
    await waitFor(() => heartbeats() >= 3, 'three heartbeats');
    clearInterval(keepAlive);
    expect(client.connected).toBe(true);
  });

  it('closes with a clear reason when the server goes silent', async () => {
    await start({ handshake: reply({ heartbeat: 0.05 }) });
    client = await connect(server.url);
    const pending = client.request('a.b.c', {}, { timeout: 5000 });
    const closed = new Promise((resolve) => client!.events.once('close', resolve));
    await expect(closed).resolves.toEqual({
      code: 'HEARTBEAT_TIMEOUT',
      message: expect.stringContaining('sent nothing'),
    });
    await expect(pending).rejects.toMatchObject({ code: 'DISCONNECTED' });
  });

  it('reconnects with backoff; requests in flight reject at once, later ones succeed', async () => {
    await start({ onRequest: (m) => (m.route === 'echo' ? m.body : undefined) });
    client = await connect(server.url, { reconnect: { minDelay: 20, maxDelay: 50 } });
    const inFlight = client.request('hang', {}, { timeout: 10_000 });
    await (await server.connection()).message(0);
    const reconnected = new Promise<void>((resolve) => client!.events.once('reconnect', resolve));
    server.connections[0]!.destroy();
    // DISCONNECTED, not its 10 s TIMEOUT: rejected when the connection went
    await expect(inFlight).rejects.toMatchObject({ code: 'DISCONNECTED' });
    await expect(client.request('echo', {})).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
    await reconnected;
    expect(server.connections).toHaveLength(2);
    await expect(client.request('echo', { again: true })).resolves.toEqual({ again: true });
  });

  it('keeps retrying while the server is away and gives up after the retries', async () => {
    await start();
    client = await connect(server.url, { reconnect: { minDelay: 10, maxDelay: 20, retries: 3 }, timeout: 500 });
    const attempts: number[] = [];
    client.events.on('reconnecting', (attempt) => attempts.push(attempt));
    const finalClose = new Promise((resolve) =>
      client!.events.on('close', (reason, again) => (again ? undefined : resolve(reason))),
    );
    await server.close();
    await expect(finalClose).resolves.toMatchObject({ message: expect.stringContaining('gave up') });
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('fails the connect when the handshake is refused', async () => {
    await start({ handshake: { code: 400 } });
    await expect(connect(server.url)).rejects.toMatchObject({ code: 'HANDSHAKE_FAILED' });
  });

  it('fails the connect when the handshake never comes', async () => {
    await start({ handshake: null });
    await expect(connect(server.url, { timeout: 150 })).rejects.toMatchObject({ code: 'TIMEOUT' });
  });

  it('fails the connect when nothing listens', async () => {
    await start();
    const url = server.url;
    await server.close();
    await expect(connect(url, { timeout: 2000 })).rejects.toMatchObject({ code: 'CONNECT_FAILED' });
  });

  it('closes on a malformed packet from the server, rejecting what was in flight', async () => {
    await start();
    client = await connect(server.url);
    const pending = client.request('a.b.c', {});
    const closed = new Promise((resolve) => client!.events.once('close', resolve));
    (await server.connection()).write(Uint8Array.of(0x09, 0, 0, 0));
    await expect(closed).resolves.toMatchObject({ message: expect.stringContaining('protocol error') });
    await expect(pending).rejects.toMatchObject({ code: 'DISCONNECTED' });
  });

  it('close() closes the connection; later calls fail with NOT_CONNECTED', async () => {
    await start();
    client = await connect(server.url);
    const closed = new Promise((resolve) => client!.events.once('close', resolve));
    await client.close();
    await expect(closed).resolves.toMatchObject({ code: 'CLOSED_BY_CLIENT' });
    await (await server.connection()).whenClosed();
    expect(() => client!.notify('a.b.c', {})).toThrow(expect.objectContaining({ code: 'NOT_CONNECTED' }));
  });
});
