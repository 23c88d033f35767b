import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
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
import { clusterEnv, next, player, startServer, wsUrl } from './helpers';

// the built demo (npm test builds it before the tests run)
const MAIN = path.resolve(__dirname, '../dist/main.js');

function spawnRoom(id: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [MAIN, '--type', 'room', '--id', id], {
    env: { ...process.env, ...env, PITAYA_CLUSTER_SD_ETCD_HEARTBEAT_TTL: '5s' },
    stdio: 'ignore',
  });
}

describe('a room server that dies', () => {
  let nats: NatsServer;
  let etcd: EtcdServer;
  let redis: RedisServer;
  let connector: PitayaApp;
  const rooms: ChildProcess[] = [];

  beforeAll(async () => {
    [nats, etcd, redis] = await Promise.all([startNatsServer(), startEtcdServer(), startRedisServer()]);
    const env = clusterEnv(nats, etcd, redis, 'faults/');
    rooms.push(spawnRoom('room-a', env), spawnRoom('room-b', env));
    // an RPC timeout longer than the client's: an answer at all means none was waited for
    connector = await startServer('connector', 'connector-1', {
      ...env,
      PITAYA_CLUSTER_RPC_CLIENT_NATS_REQUESTTIMEOUT: '60s',
    });
    await waitFor(() => connector.container.get(TOKENS.ServiceDiscovery).getServersByType('room').length === 2, 20_000);
  }, 60_000);

  afterAll(async () => {
    // the connector first: the leave calls of the sessions it closes need a live room server
    await connector?.stop();
    for (const room of rooms) room.kill('SIGKILL');
    await nats?.stop();
    await etcd?.destroy();
    await redis?.stop();
  }, 30_000);

  it('sends its rooms to the live server at once, while it is still listed, and drops it when its lease expires', async () => {
    const discovery = connector.container.get(TOKENS.ServiceDiscovery);
    const servers = discovery.getServersByType('room');
    const byId = (id: string) => servers.find((s) => s.id === id)!;
    const ownedBy = (id: string) =>
      ['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8'].find((room) => roomServer(room, servers).id === id)!;
    const doomed = ownedBy('room-a');
    const survivor = ownedBy('room-b');

    const client = await player(wsUrl(connector), 'zoe');
    await expect(client.request('room.room.join', { room: doomed })).resolves.toEqual({ members: ['zoe'] });

    rooms[0]!.kill('SIGKILL');
    await new Promise((resolve) => rooms[0]!.once('exit', resolve));

    // still in discovery (its lease lives on for a while), but NATS says nobody serves it: the
    // message was not handled there, so it goes to the other room server, with no wait for a timeout
    expect(discovery.getServer('room-a')).toEqual(byId('room-a'));
    await expect(client.request('room.room.join', { room: doomed })).resolves.toEqual({ members: ['zoe'] });
    const other = await player(wsUrl(connector), 'yan');
    await expect(other.request('room.room.join', { room: survivor })).resolves.toEqual({ members: ['yan'] });

    // the lease expires: room-a leaves discovery, and the room stays on the live server
    await waitFor(() => discovery.getServer('room-a') === undefined, 15_000);
    const again = next(client, 'onMessage');
    client.notify('room.room.send', { text: 'still here' });
    await expect(again).resolves.toEqual({ from: 'zoe', text: 'still here' });
    await Promise.all([client.close(), other.close()]);
  }, 40_000);
});
