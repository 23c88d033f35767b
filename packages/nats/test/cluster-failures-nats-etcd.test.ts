import 'reflect-metadata';
import { TOKENS } from '@pitaya-ts/core';
import { etcdDiscoveryModule } from '@pitaya-ts/etcd';
import { natsRpcModule } from '@pitaya-ts/nats';
import { startEtcdServer, startNatsServer, type EtcdServer, type NatsServer } from '@pitaya-ts/testing';
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
  // the RPC server's connection closes without a word: a stop would answer what it holds
  crash: (app) => (app.container.get(TOKENS.RpcServer) as unknown as { nc: { close(): Promise<void> } }).nc.close(),
});
