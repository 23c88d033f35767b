import { TOKENS, type PitayaApp } from '@pitaya-ts/core';
import {
  startEtcdServer,
  startNatsServer,
  startRedisServer,
  waitFor,
  type EtcdServer,
  type NatsServer,
  type RedisServer,
} from '@pitaya-ts/testing';
import { roomServer } from '../src/room-router';
import { clusterEnv, next, playerPool, startServer, tcpUrl, wsUrl } from './helpers';

describe('cluster demo: two connectors and two room servers on real NATS and etcd', () => {
  let nats: NatsServer;
  let etcd: EtcdServer;
  let redis: RedisServer;
  let connectors: PitayaApp[];
  let rooms: PitayaApp[];
  const { join, closeAll } = playerPool();

  beforeAll(async () => {
    [nats, etcd, redis] = await Promise.all([startNatsServer(), startEtcdServer(), startRedisServer()]);
    const env = clusterEnv(nats, etcd, redis, 'demo/');
    rooms = [await startServer('room', 'room-1', env), await startServer('room', 'room-2', env)];
    connectors = [
      await startServer('connector', 'connector-1', env),
      await startServer('connector', 'connector-2', env),
    ];
    // every server sees the other three before the first client comes
    await waitFor(() =>
      [...rooms, ...connectors].every((app) => app.container.get(TOKENS.ServiceDiscovery).servers().length === 4),
    );
  }, 60_000);

  afterAll(async () => {
    await closeAll();
    for (const app of [...(connectors ?? []), ...(rooms ?? [])]) await app.stop();
    await nats?.stop();
    await etcd?.destroy();
    await redis?.stop();
  }, 60_000);

  it('lets clients on both connectors, over WebSocket and TCP, chat in one room', async () => {
    const ana = await join(wsUrl(connectors[0]!), 'ana');
    await expect(ana.request('room.room.join', {})).resolves.toEqual({ members: ['ana'] });
    const bo = await join(tcpUrl(connectors[1]!), 'bo');
    const joined = next(ana, 'onJoin');
    await expect(bo.request('room.room.join', {})).resolves.toEqual({ members: ['ana', 'bo'] });
    await expect(joined).resolves.toEqual({ name: 'bo' });

    const toAna = next(ana, 'onMessage');
    const toBo = next(bo, 'onMessage');
    bo.notify('room.room.send', { text: 'hello from the other connector' });
    await expect(toAna).resolves.toEqual({ from: 'bo', text: 'hello from the other connector' });
    await expect(toBo).resolves.toEqual({ from: 'bo', text: 'hello from the other connector' });
  });

  it('routes every message of a room to the room server its name hashes to', async () => {
    const names = ['red', 'green', 'blue', 'amber', 'violet', 'teal', 'coral', 'olive'];
    const servers = rooms.map((app) => app.server);
    for (const [i, room] of names.entries()) {
      const client = await join(wsUrl(connectors[i % 2]!), `p-${room}`);
      await client.request('room.room.join', { room });
      const owner = roomServer(room, servers);
      for (const app of rooms) {
        await expect(app.groups.exists(room)).resolves.toBe(app.server.id === owner.id);
      }
      // later messages of the session follow its room
      const echo = next(client, 'onMessage');
      client.notify('room.room.send', { text: room });
      await expect(echo).resolves.toEqual({ from: `p-${room}`, text: room });
    }
    // both room servers got rooms: the load is shared
    const owners = new Set(names.map((room) => roomServer(room, servers).id));
    expect(owners.size).toBe(2);
  });

  it('sums stats over every room server through the protobuf remote', async () => {
    const client = await join(wsUrl(connectors[0]!), 'counter');
    const perServer = await Promise.all(
      rooms.map((app) => app.rpc<{ rooms: number; members: number }>('room.roomRemote.stats', {})),
    );
    const expected = perServer.reduce((a, b) => ({ rooms: a.rooms + b.rooms, members: a.members + b.members }));
    await expect(client.request('room.room.stats', {})).resolves.toEqual({ ...expected, failed: 0 });
    expect(expected.rooms).toBeGreaterThanOrEqual(8);
  });

  it("announces a disconnected member's departure to its room", async () => {
    const cy = await join(wsUrl(connectors[0]!), 'cy');
    await cy.request('room.room.join', { room: 'quiet' });
    const dee = await join(tcpUrl(connectors[1]!), 'dee');
    await dee.request('room.room.join', { room: 'quiet' });
    const left = next(dee, 'onLeave');
    await cy.close();
    await expect(left).resolves.toEqual({ name: 'cy' });
  });

  it("grants a room badge through a reliable RPC: the client gets the job id, the room hears it from the room's server", async () => {
    const fay = await join(wsUrl(connectors[0]!), 'fay');
    await fay.request('room.room.join', { room: 'badges' });
    const gus = await join(tcpUrl(connectors[1]!), 'gus');
    await gus.request('room.room.join', { room: 'badges' });
    const told = [next(fay, 'onBadge'), next(gus, 'onBadge')];

    const { jid } = await fay.request('connector.entry.badge', { badge: 'early bird' });
    expect(jid).toMatch(/^[0-9a-f]{24}$/);
    await expect(Promise.all(told)).resolves.toEqual([
      { name: 'fay', badge: 'early bird' },
      { name: 'fay', badge: 'early bird' },
    ]);
    // run on the room's own server, which holds its members
    const owner = rooms.find(
      (app) =>
        app.server.id ===
        roomServer(
          'badges',
          rooms.map((r) => r.server),
        ).id,
    )!;
    await expect(owner.groups.exists('badges')).resolves.toBe(true);
    await expect(fay.request('connector.entry.badge', { badge: '' })).rejects.toMatchObject({ code: 'PIT-400' });
  });

  it('keeps one session per user across connectors', async () => {
    const first = await join(wsUrl(connectors[0]!), 'eve');
    const kicked = new Promise((resolve) => first.events.once('kick', () => resolve(true)));
    const second = await join(wsUrl(connectors[1]!), 'eve');
    await expect(kicked).resolves.toBe(true);
    // the newer session is the one that stays
    await expect(second.request('room.room.join', { room: 'eve-room' })).resolves.toEqual({ members: ['eve'] });
    expect(second.connected).toBe(true);
  });
});
