import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { TOKENS, type PitayaApp, type ServerInfo } from '@pitaya-ts/core';
import { startEtcdServer, startNatsServer, type EtcdServer, type NatsServer } from '@pitaya-ts/testing';
import { roomServer } from '../src/room-router';
import { clusterEnv, player, startServer, until, wsUrl } from './helpers';

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
  let connector: PitayaApp;
  const rooms: ChildProcess[] = [];

  beforeAll(async () => {
    [nats, etcd] = await Promise.all([startNatsServer(), startEtcdServer()]);
    const env = clusterEnv(nats, etcd, 'faults/');
    rooms.push(spawnRoom('room-a', env), spawnRoom('room-b', env));
    connector = await startServer('connector', 'connector-1', env);
    await until(() => connector.container.get(TOKENS.ServiceDiscovery).getServersByType('room').length === 2, 20_000);
  }, 60_000);

  afterAll(async () => {
    for (const room of rooms) room.kill('SIGKILL');
    await connector?.stop();
    await nats?.stop();
    await etcd?.destroy();
  }, 30_000);

  it('fails fast with PIT-500 while it is still listed, then leaves routing when its lease expires', async () => {
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

    // still in discovery (its lease lives on for a moment): an answer, fast, not a hang
    expect(discovery.getServer('room-a')).toEqual(byId('room-a') as ServerInfo);
    const started = Date.now();
    await expect(client.request('room.room.join', { room: doomed })).rejects.toMatchObject({
      code: 'PIT-500',
      msg: expect.stringContaining('unreachable'),
    });
    // NATS says at once that nobody serves the subject: no wait for the RPC timeout (5 s)
    expect(Date.now() - started).toBeLessThan(4000);
    // the other room server keeps working meanwhile
    const other = await player(wsUrl(connector), 'yan');
    await expect(other.request('room.room.join', { room: survivor })).resolves.toEqual({ members: ['yan'] });

    // the lease expires: room-a leaves, and its rooms go to the live server
    await until(() => discovery.getServer('room-a') === undefined, 15_000);
    await expect(client.request('room.room.join', { room: doomed })).resolves.toEqual({ members: ['zoe'] });
    await Promise.all([client.close(), other.close()]);
  }, 40_000);
});
