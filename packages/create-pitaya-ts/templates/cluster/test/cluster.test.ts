import 'reflect-metadata';
import { bootstrap, type PitayaApp } from '@pitaya-ts/core';
import { MemoryCluster } from '@pitaya-ts/core/provider';
import { createTestApp } from '@pitaya-ts/testing';
import type { ContainerModule } from 'inversify';
import type { PitayaClient } from '@pitaya-ts/client';
import { connector, room } from '../src/servers';

/**
 * The cluster's providers: in memory, or NATS and etcd when the environment names them
 * (`npm run test:real` starts both and sets it).
 */
function clusterProviders(memory: MemoryCluster): ContainerModule[] {
  if (!process.env.PITAYA_CLUSTER_SD_ETCD_ENDPOINTS) return [memory.providers()];
  const { natsRpcModule } = require('@pitaya-ts/nats') as typeof import('@pitaya-ts/nats');
  const { etcdDiscoveryModule } = require('@pitaya-ts/etcd') as typeof import('@pitaya-ts/etcd');
  return [natsRpcModule(), etcdDiscoveryModule()];
}

function next<T>(client: PitayaClient, route: string): Promise<T> {
  return new Promise((resolve) => {
    const stop = client.on(route, (body) => {
      stop();
      resolve(body as T);
    });
  });
}

describe('a connector and a room server', () => {
  let roomServer: PitayaApp;
  let front: Awaited<ReturnType<typeof createTestApp>>;

  beforeEach(async () => {
    const cluster = new MemoryCluster();
    roomServer = await bootstrap({
      ...room,
      providers: clusterProviders(cluster),
      config: { 'pitaya.log.level': 'silent' },
      handleSignals: false,
    });
    await roomServer.start();
    // createTestApp reads no PITAYA_* variable unless given the environment: test:real sets NATS's and etcd's
    front = await createTestApp({ ...connector, providers: clusterProviders(cluster), env: process.env });
  });
  afterEach(async () => {
    await front?.stop();
    await roomServer?.stop();
  });

  async function player(name: string): Promise<PitayaClient> {
    const client = await front.client();
    await client.request('connector.entry.login', { name });
    return client;
  }

  it('forwards room routes to the room server, whose broadcasts reach every player', async () => {
    const ana = await player('ana');
    const bo = await player('bo');
    await expect(ana.request('room.room.join', { room: 'hall' })).resolves.toEqual({ members: ['ana'] });
    await expect(bo.request('room.room.join', { room: 'hall' })).resolves.toEqual({ members: ['ana', 'bo'] });

    const heard = next(ana, 'onMessage');
    bo.notify('room.room.say', { text: 'hello' }); // the room comes from the session data the join pushed
    await expect(heard).resolves.toEqual({ from: 'bo', text: 'hello' });
  });

  it('answers a bad body with PIT-400, from the room server', async () => {
    const ana = await player('ana');
    await expect(ana.request('room.room.join', { room: 'Hall!' })).rejects.toMatchObject({ code: 'PIT-400' });
  });

  it('refuses to join before logging in', async () => {
    const client = await front.client();
    await expect(client.request('room.room.join', { room: 'hall' })).rejects.toMatchObject({ code: 'PIT-401' });
  });

  it('lists the members of a room through the remote of the room server', async () => {
    await (await player('ana')).request('room.room.join', { room: 'hall' });
    await expect(front.app.rpc('room.roomRemote.members', { room: 'hall' })).resolves.toEqual({ members: ['ana'] });
  });
});
