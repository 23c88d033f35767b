import { TOKENS, type PitayaApp } from '@pitaya-ts/core';
import { startEtcdServer, startRedisServer, waitFor, type EtcdServer, type RedisServer } from '@pitaya-ts/testing';
import { next, playerPool, startServer, tcpUrl, wsUrl } from './helpers';

describe('cluster demo over gRPC (--rpc grpc --groups etcd), on real etcd', () => {
  let etcd: EtcdServer;
  let redis: RedisServer;
  let connectors: PitayaApp[];
  let rooms: PitayaApp[];
  const { join, closeAll } = playerPool();

  beforeAll(async () => {
    [etcd, redis] = await Promise.all([startEtcdServer(), startRedisServer()]);
    // no NATS at all: RPC over gRPC, users found in etcd's bindings, rooms in etcd's groups
    const env = {
      PITAYA_WORKER_REDIS_URL: `127.0.0.1:${redis.port}`,
      PITAYA_CLUSTER_SD_ETCD_ENDPOINTS: etcd.endpoint,
      PITAYA_CLUSTER_SD_ETCD_PREFIX: 'demo-grpc/',
      PITAYA_CLUSTER_SD_ETCD_SHUTDOWN_DELAY: '0ms',
      PITAYA_CLUSTER_RPC_SERVER_GRPC_PORT: '0',
      PITAYA_CLUSTER_RPC_SERVER_GRPC_HOST: '127.0.0.1',
      PITAYA_MODULES_BINDINGSTORAGE_ETCD_ENDPOINTS: etcd.endpoint,
      PITAYA_MODULES_BINDINGSTORAGE_ETCD_PREFIX: 'demo-grpc/',
      PITAYA_GROUPS_ETCD_ENDPOINTS: etcd.endpoint,
      PITAYA_GROUPS_ETCD_PREFIX: 'demo-grpc/',
      PITAYA_LOG_LEVEL: 'silent',
    };
    const options = { rpc: 'grpc', groups: 'etcd' } as const;
    rooms = [await startServer('room', 'room-1', env, options), await startServer('room', 'room-2', env, options)];
    connectors = [
      await startServer('connector', 'connector-1', env, options),
      await startServer('connector', 'connector-2', env, options),
    ];
    await waitFor(() =>
      [...rooms, ...connectors].every((app) => app.container.get(TOKENS.ServiceDiscovery).servers().length === 4),
    );
  }, 60_000);

  afterAll(async () => {
    await closeAll();
    for (const app of [...(connectors ?? []), ...(rooms ?? [])]) await app.stop();
    await etcd?.destroy();
    await redis?.stop();
  }, 60_000);

  it('lets clients on both connectors chat in one room, which every server sees', async () => {
    const ana = await join(wsUrl(connectors[0]!), 'ana');
    await expect(ana.request('room.room.join', { room: 'hall' })).resolves.toEqual({ members: ['ana'] });
    const bo = await join(tcpUrl(connectors[1]!), 'bo');
    const joined = next(ana, 'onJoin');
    await expect(bo.request('room.room.join', { room: 'hall' })).resolves.toEqual({ members: ['ana', 'bo'] });
    await expect(joined).resolves.toEqual({ name: 'bo' });

    const toAna = next(ana, 'onMessage');
    bo.notify('room.room.send', { text: 'over gRPC' });
    await expect(toAna).resolves.toEqual({ from: 'bo', text: 'over gRPC' });

    // the room's group is in etcd: every server, connectors too, sees its members
    for (const app of [...rooms, ...connectors])
      await expect(app.groups.members('hall')).resolves.toEqual(['ana', 'bo']);
  });

  it('keeps one session per uid across connectors', async () => {
    const first = await join(wsUrl(connectors[0]!), 'cy');
    const kicked = new Promise((resolve) => first.events.once('kick', () => resolve(true)));
    await join(wsUrl(connectors[1]!), 'cy');
    await expect(kicked).resolves.toBe(true);
  });
});
