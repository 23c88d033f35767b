import 'reflect-metadata';
import { etcdBindingStorageModule, etcdDiscoveryModule, etcdGroupsModule } from '@pitaya-ts/etcd';
import { grpcRpcModule } from '@pitaya-ts/grpc';
import { startEtcdServer, type EtcdServer } from '@pitaya-ts/testing';
import { clusterSuite } from '../../core/test/cluster/cluster-suite';

let etcd: EtcdServer;

clusterSuite(
  'gRPC RPC, etcd discovery, bindings and groups (real etcd)',
  () => [grpcRpcModule(), etcdDiscoveryModule(), etcdBindingStorageModule(), etcdGroupsModule()],
  {
    untimedBinds: true,
    beforeAll: async () => {
      etcd = await startEtcdServer();
    },
    afterAll: async () => {
      await etcd?.destroy();
    },
    config: () => ({
      'pitaya.cluster.rpc.server.grpc.port': 0,
      'pitaya.cluster.rpc.server.grpc.host': '127.0.0.1',
      'pitaya.cluster.rpc.client.grpc.requesttimeout': '5s',
      'pitaya.cluster.sd.etcd.endpoints': etcd.endpoint,
      'pitaya.cluster.sd.etcd.prefix': `grpc-${process.pid}/`,
      'pitaya.cluster.sd.etcd.shutdown.delay': '0ms',
      'pitaya.modules.bindingstorage.etcd.endpoints': etcd.endpoint,
      'pitaya.modules.bindingstorage.etcd.prefix': `grpc-${process.pid}/`,
      'pitaya.groups.etcd.endpoints': etcd.endpoint,
      'pitaya.groups.etcd.prefix': `grpc-${process.pid}/`,
    }),
  },
);
