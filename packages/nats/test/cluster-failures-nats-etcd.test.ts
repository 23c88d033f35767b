import 'reflect-metadata';
import { TOKENS } from '@pitaya-ts/core';
import { etcdDiscoveryModule } from '@pitaya-ts/etcd';
import { natsRpcModule } from '@pitaya-ts/nats';
import { startEtcdServer, startNatsServer, waitFor, type EtcdServer, type NatsServer } from '@pitaya-ts/testing';
import { clusterFailuresSuite } from '../../core/test/cluster/cluster-failures-suite';

let nats: NatsServer;
let etcd: EtcdServer;

clusterFailuresSuite('NATS RPC and etcd discovery (real servers)', () => [natsRpcModule(), etcdDiscoveryModule()], {
  beforeAll: async () => {
    [nats, etcd] = await Promise.all([startNatsServer(), startEtcdServer()]);
  },
  afterAll: async () => {
    await nats?.stop();
    await etcd?.destroy();
  },
  config: () => ({
    'pitaya.cluster.rpc.client.nats.connect': nats.url,
    'pitaya.cluster.rpc.server.nats.connect': nats.url,
    'pitaya.cluster.sd.etcd.endpoints': etcd.endpoint,
    'pitaya.cluster.sd.etcd.prefix': `failures-${process.pid}/`,
    'pitaya.cluster.sd.etcd.shutdown.delay': '0ms',
  }),
  // the RPC server's connection closes without a word (a stop would answer what it holds), and the
  // test goes on once nats-server has seen it go, as it would a killed process's
  crash: async (app) => {
    await (app.container.get(TOKENS.RpcServer) as unknown as { nc: { close(): Promise<void> } }).nc.close();
    const name = `${app.server.id} rpc server`;
    await waitFor(async () => {
      const connz = (await (await fetch(`http://127.0.0.1:${nats.monitorPort}/connz?limit=4096`)).json()) as {
        connections: { name?: string }[];
      };
      return !connz.connections.some((connection) => connection.name === name);
    }, `nats-server to drop ${name}`);
  },
});
