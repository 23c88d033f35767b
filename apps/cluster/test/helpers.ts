import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { connect, type PitayaClient } from '@pitaya-ts/client';
import type { PitayaApp } from '@pitaya-ts/core';
import type { EtcdServer, NatsServer, RedisServer } from '@pitaya-ts/testing';
import { createClusterServer, type ClusterServerOptions, type ServerKind } from '../src/cluster-server';

/** The env a demo server reads its NATS, etcd and Redis (reliable RPC) from, as in production. */
export function clusterEnv(
  nats: NatsServer,
  etcd: EtcdServer,
  redis: RedisServer,
  prefix: string,
): Record<string, string> {
  return {
    PITAYA_WORKER_REDIS_URL: `127.0.0.1:${redis.port}`,
    PITAYA_CLUSTER_RPC_CLIENT_NATS_CONNECT: nats.url,
    PITAYA_CLUSTER_RPC_SERVER_NATS_CONNECT: nats.url,
    PITAYA_CLUSTER_SD_ETCD_ENDPOINTS: etcd.endpoint,
    PITAYA_CLUSTER_SD_ETCD_PREFIX: prefix,
    PITAYA_CLUSTER_SD_ETCD_SHUTDOWN_DELAY: '0ms',
    PITAYA_LOG_LEVEL: 'silent',
  };
}

export async function startServer(
  type: ServerKind,
  id: string,
  env: Record<string, string>,
  options: Pick<ClusterServerOptions, 'rpc' | 'groups'> = {},
): Promise<PitayaApp> {
  const app = await createClusterServer({ type, id, port: 0, tcpPort: 0, env, handleSignals: false, ...options });
  await app.start();
  return app;
}

/** A room server in its own process (the built demo: `npm test` builds it first), to be killed at will. */
export function spawnRoom(id: string, env: Record<string, string>): ChildProcess {
  const main = path.resolve(__dirname, '../dist/main.js');
  return spawn(process.execPath, [main, '--type', 'room', '--id', id], {
    env: { ...process.env, ...env },
    stdio: 'ignore',
  });
}

export const wsUrl = (connector: PitayaApp) => `ws://127.0.0.1:${connector.acceptors[0]!.address()!.port}`;
export const tcpUrl = (connector: PitayaApp) => `tcp://127.0.0.1:${connector.acceptors[1]!.address()!.port}`;

/** Players a suite connects, each closed by `closeAll()` (from afterAll). */
export function playerPool() {
  const clients: PitayaClient[] = [];
  return {
    join: async (url: string, uid: string): Promise<PitayaClient> => {
      const client = await player(url, uid);
      clients.push(client);
      return client;
    },
    closeAll: () => Promise.all(clients.map((c) => c.close())),
  };
}

/** A logged-in client. */
export async function player(url: string, uid: string): Promise<PitayaClient> {
  const client = await connect(url);
  await client.request('connector.entry.login', { uid });
  return client;
}

export function next<T = unknown>(client: PitayaClient, route: string, timeoutMs = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${route} within ${timeoutMs} ms`)), timeoutMs);
    const stop = client.on(route, (body) => {
      clearTimeout(timer);
      stop();
      resolve(body as T);
    });
  });
}
