import 'reflect-metadata';
import { etcdDiscoveryModule } from '@pitaya-ts/etcd';
import { natsRpcModule } from '@pitaya-ts/nats';
import { startEtcdServer, startNatsServer, type EtcdServer, type NatsServer } from '@pitaya-ts/testing';
import { clusterSuite } from '../../core/test/cluster/cluster-suite';

let nats: NatsServer;
let etcd: EtcdServer;

clusterSuite('NATS RPC and etcd discovery (real servers)', () => [natsRpcModule(), etcdDiscoveryModule()], {
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
    'pitaya.cluster.sd.etcd.prefix': `test-${process.pid}/`,
    'pitaya.cluster.sd.etcd.shutdown.delay': '0ms',
  }),
  pipelined: true,
});
