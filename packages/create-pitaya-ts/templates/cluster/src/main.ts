import 'reflect-metadata';
import { bootstrap } from '@pitaya-ts/core';
import { etcdDiscoveryModule } from '@pitaya-ts/etcd';
import { natsRpcModule } from '@pitaya-ts/nats';
import { connector, connectorAcceptors, room } from './servers';

// NATS and etcd come from PITAYA_CLUSTER_RPC_CLIENT_NATS_CONNECT, PITAYA_CLUSTER_RPC_SERVER_NATS_CONNECT
// and PITAYA_CLUSTER_SD_ETCD_ENDPOINTS (defaults: localhost)
async function main(type: string | undefined): Promise<void> {
  const providers = [natsRpcModule(), etcdDiscoveryModule()];
  if (type === 'connector')
    await (await bootstrap({ ...connector, providers, acceptors: connectorAcceptors() })).start();
  else if (type === 'room') await (await bootstrap({ ...room, providers })).start();
  else throw new Error('usage: node dist/main.js connector|room');
}

main(process.argv[2]).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
