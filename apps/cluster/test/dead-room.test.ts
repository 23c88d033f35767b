import type { ChildProcess } from 'node:child_process';
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
import { clusterEnv, player, spawnRoom, startServer, wsUrl } from './helpers';

describe('a room server killed while its lease lives on', () => {
  let nats: NatsServer;
  let etcd: EtcdServer;
  let redis: RedisServer;
  let connector: PitayaApp;
  const rooms: ChildProcess[] = [];

  beforeAll(async () => {
    [nats, etcd, redis] = await Promise.all([startNatsServer(), startEtcdServer(), startRedisServer()]);
    const env = clusterEnv(nats, etcd, redis, 'dead-room/');
    rooms.push(spawnRoom('room-a', env), spawnRoom('room-b', env));
    connector = await startServer('connector', 'connector-1', env);
    await waitFor(() => connector.container.get(TOKENS.ServiceDiscovery).getServersByType('room').length === 2, 20_000);
  }, 60_000);

  afterAll(async () => {
    for (const room of rooms) room.kill('SIGKILL');
    await connector?.stop();
    await nats?.stop();
    await etcd?.destroy();
    await redis?.stop();
  }, 30_000);

  it('leaves stats answering, from the live server, with the dead one counted as failed', async () => {
    const client = await player(wsUrl(connector), 'stat');
    await expect(client.request('room.room.stats', {})).resolves.toMatchObject({ rooms: 0, members: 0 });
    await client.request('room.room.join', { room: 'r1' });

    rooms[0]!.kill('SIGKILL');
    await new Promise((resolve) => rooms[0]!.once('exit', resolve));
    // every time, whichever room server the connector asks
    for (let i = 0; i < 10; i++) {
      await expect(client.request('room.room.stats', {})).resolves.toMatchObject({ failed: 1 });
    }
    expect(connector.container.get(TOKENS.ServiceDiscovery).getServer('room-a')).toBeDefined();
    await client.close();
  }, 30_000);
});
