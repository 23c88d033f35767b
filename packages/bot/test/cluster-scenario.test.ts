import 'reflect-metadata';
import * as path from 'node:path';
import { loadScenario, runScenario } from '@pitaya-ts/bot';
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
import { clusterEnv, startServer, wsUrl } from '../../../apps/cluster/test/helpers';

const CLUSTER_SCENARIO = path.resolve(__dirname, '../../../apps/cluster/scenarios/cluster.yaml');

describe('pitaya-bot against the cluster demo on real NATS and etcd', () => {
  let nats: NatsServer;
  let etcd: EtcdServer;
  let redis: RedisServer;
  let servers: PitayaApp[] = [];

  beforeAll(async () => {
    [nats, etcd, redis] = await Promise.all([startNatsServer(), startEtcdServer(), startRedisServer()]);
    const env = clusterEnv(nats, etcd, redis, 'bots/');
    servers = [
      await startServer('room', 'room-1', env),
      await startServer('room', 'room-2', env),
      await startServer('connector', 'connector-1', env),
    ];
    await waitFor(() => servers.every((app) => app.container.get(TOKENS.ServiceDiscovery).servers().length === 3));
  }, 60_000);

  afterAll(async () => {
    for (const app of servers.reverse()) await app.stop();
    await nats?.stop();
    await etcd?.destroy();
    await redis?.stop();
  }, 60_000);

  it('runs the shipped cluster scenario: logins, rooms on both room servers, pushes and stats', async () => {
    const plan = await loadScenario(CLUSTER_SCENARIO);
    const report = await runScenario(plan, { url: wsUrl(servers[2]!) });
    expect(report.assertions.failures).toEqual([]);
    expect(report).toMatchObject({
      passed: true,
      iterations: { completed: 30, failed: 0 },
      connections: { opened: 10, failed: 0, lost: 0 },
      pushes: [{ route: 'onMessage', received: 30, timeouts: 0 }],
      // per bot: 2 setup requests; per iteration: 1 push and 2 requests
      assertions: { passed: 10 * 2 + 30 * 3, failed: 0 },
    });
    expect(report.routes.map((r) => [r.route, r.count, r.ok])).toEqual([
      ['connector.entry.login', 10, 10],
      ['room.room.join', 40, 40],
      ['room.room.send', 30, 30],
      ['room.room.stats', 30, 30],
    ]);
    // the bots' rooms landed on both room servers
    for (const room of servers.slice(0, 2)) {
      const owned = await Promise.all(Array.from({ length: 10 }, (_, i) => room.groups.exists(`room-${i + 1}`)));
      expect(owned.some(Boolean)).toBe(true);
    }
  }, 60_000);
});
