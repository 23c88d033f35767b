import 'reflect-metadata';
import { Package } from 'pinus-protocol';
import { clientPeer, closeAll, join, startChat, TRANSPORTS, withTimeout, type ChatServer } from './helpers';
import { PinusClient } from './pinus-client';

// short enough for a quick test, long enough that a loaded CI machine does not miss a beat
const INTERVAL = 400;
// how long a close may take before the test fails: only a guard against hanging, as a loaded machine is slow
const PATIENCE = 10_000;

describe.each(TRANSPORTS)('heartbeats over %s', (transport) => {
  let server: ChatServer;
  const open: { close(): Promise<void> }[] = [];

  beforeEach(async () => {
    server = await startChat({ 'pitaya.heartbeat.interval': `${INTERVAL}ms` });
  });

  afterEach(async () => {
    await closeAll(...open.splice(0));
    await server.stop();
  });

  async function pinus(options: Parameters<typeof PinusClient.connect>[2]): Promise<PinusClient> {
    const client = await PinusClient.connect(transport, server.port(transport), options);
    open.push(client);
    return client;
  }

  it('announces the interval in seconds in the handshake', async () => {
    const client = await pinus({});
    expect(client.handshakeReply.sys?.heartbeat).toBe(INTERVAL / 1000);
  });

  it('closes a silent client after two intervals, and keeps those that heartbeat', async () => {
    const heartbeating = await pinus({ heartbeat: true });
    const sdk = await clientPeer(server, transport);
    open.push(sdk);
    const silent = await pinus({ heartbeat: false });
    const acked = Date.now();

    await withTimeout(silent.closed, PATIENCE, 'the silent client to be closed');
    const elapsed = Date.now() - acked;
    expect(elapsed).toBeGreaterThanOrEqual(2 * INTERVAL - 20);
    // it was sent heartbeats until then, and never a kick
    expect(silent.received.some((p) => p.type === Package.TYPE_HEARTBEAT)).toBe(true);
    expect(silent.kick).toBeUndefined();

    // three more intervals: the others, which answer heartbeats, keep being sent them
    const before = heartbeating.count(Package.TYPE_HEARTBEAT);
    await heartbeating.waitForCount(Package.TYPE_HEARTBEAT, before + 3, PATIENCE);
    expect(heartbeating.isClosed).toBe(false);
    // packages/client closes itself when the server is silent for two intervals: it heard heartbeats
    expect(sdk.isClosed).toBe(false);
    await expect(join(sdk, 'sdk')).resolves.toEqual(['sdk']);
    await expect(heartbeating.request('chat.room.join', { name: 'hb' })).resolves.toMatchObject({
      body: { members: ['sdk', 'hb'] },
    });
  });

  it('counts any packet as life: a client that only sends requests stays', async () => {
    const chatty = await pinus({ heartbeat: false });
    const silent = await pinus({ heartbeat: false });
    const closed = withTimeout(silent.closed, PATIENCE, 'the silent client to be closed');
    let done = false;
    void closed.finally(() => (done = true));
    while (!done) {
      await chatty.request('chat.room.leave');
      await new Promise((resolve) => setTimeout(resolve, INTERVAL / 2));
    }
    await closed;
    expect(chatty.isClosed).toBe(false);
  });

  it('closes a client that handshakes but never acks', async () => {
    const client = await pinus({ heartbeat: false, ack: false });
    await withTimeout(client.closed, PATIENCE, 'the unacknowledged client to be closed');
    expect(client.received.map((p) => p.type)).toEqual([Package.TYPE_HANDSHAKE]);
  });
});

describe.each(TRANSPORTS)('handshake timeout over %s', (transport) => {
  const TIMEOUT = 200;
  let server: ChatServer;
  const open: { close(): Promise<void> }[] = [];

  beforeEach(async () => {
    server = await startChat({ 'pitaya.handshake.timeout': `${TIMEOUT}ms` });
  });

  afterEach(async () => {
    await closeAll(...open.splice(0));
    await server.stop();
  });

  async function pinus(options: Parameters<typeof PinusClient.connect>[2]): Promise<PinusClient> {
    const client = await PinusClient.connect(transport, server.port(transport), options);
    open.push(client);
    return client;
  }

  it('closes a connection that never handshakes, and not one that did', async () => {
    // connected first: its timer, were it still set, would fire before the silent one's
    const good = await pinus({});
    const sdk = await clientPeer(server, transport);
    open.push(sdk);
    const silent = await pinus({ handshake: 'none' });
    const connected = Date.now();
    await withTimeout(silent.closed, PATIENCE, 'the silent connection to be closed');
    expect(Date.now() - connected).toBeGreaterThanOrEqual(TIMEOUT - 20);
    expect(silent.received).toEqual([]);

    await expect(good.request('chat.room.join', { name: 'good' })).resolves.toMatchObject({ error: false });
    await expect(join(sdk, 'sdk')).resolves.toEqual(['good', 'sdk']);
    expect(good.isClosed).toBe(false);
  });

  it('closes a connection that handshakes but never acks', async () => {
    const client = await pinus({ ack: false });
    expect(client.handshakeReply.code).toBe(200);
    await withTimeout(client.closed, PATIENCE, 'the unacknowledged connection to be closed');
  });

  it('closes a connection stuck halfway through a handshake packet', async () => {
    const client = await pinus({ handshake: 'none' });
    client.sendBytes(Buffer.from([Package.TYPE_HANDSHAKE, 0, 0, 100, 0x7b]));
    await withTimeout(client.closed, PATIENCE, 'the stuck connection to be closed');
    expect(client.received).toEqual([]);
  });
});
