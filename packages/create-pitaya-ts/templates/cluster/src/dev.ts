// `npm run dev`: a connector and a room server in one process, on an in-memory cluster (no NATS or
// etcd needed), restarted on every change.
import 'reflect-metadata';
import { bootstrap } from '@pitaya-ts/core';
import { MemoryCluster } from '@pitaya-ts/core/provider';
import { connector, connectorAcceptors, room } from './servers';

async function main(): Promise<void> {
  const cluster = new MemoryCluster();
  const rooms = await bootstrap({ ...room, providers: [cluster.providers()] });
  await rooms.start();
  await (await bootstrap({ ...connector, providers: [cluster.providers()], acceptors: connectorAcceptors() })).start();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
