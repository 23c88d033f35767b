import 'reflect-metadata';
import { connectivityState, type Client, type Server } from '@grpc/grpc-js';
import { TOKENS, type PitayaApp } from '@pitaya-ts/core';
import { etcdBindingStorageModule, etcdDiscoveryModule } from '@pitaya-ts/etcd';
import { grpcRpcModule } from '@pitaya-ts/grpc';
import { startEtcdServer, waitFor, type EtcdServer } from '@pitaya-ts/testing';
import { clusterFailuresSuite } from '../../core/test/cluster/cluster-failures-suite';

let etcd: EtcdServer;

clusterFailuresSuite(
  'gRPC RPC and etcd discovery and bindings (real etcd)',
  () => [grpcRpcModule(), etcdDiscoveryModule(), etcdBindingStorageModule()],
  {
    beforeAll: async () => {
      etcd = await startEtcdServer();
    },
    afterAll: async () => {
      await etcd?.destroy();
    },
    config: () => ({
      'pitaya.cluster.rpc.server.grpc.port': 0,
      'pitaya.cluster.rpc.server.grpc.host': '127.0.0.1',
      'pitaya.cluster.sd.etcd.endpoints': etcd.endpoint,
      'pitaya.cluster.sd.etcd.prefix': `grpc-failures-${process.pid}/`,
      'pitaya.cluster.sd.etcd.shutdown.delay': '0ms',
      'pitaya.modules.bindingstorage.etcd.endpoints': etcd.endpoint,
      'pitaya.modules.bindingstorage.etcd.prefix': `grpc-failures-${process.pid}/`,
    }),
    // the gRPC server's connections drop without an answer, as a killed process's do, and the test
    // goes on once the other servers have seen theirs go
    crash: async (app, others) => {
      (app.container.get(TOKENS.RpcServer) as unknown as { server: Server }).server.forceShutdown();
      const connected = (other: PitayaApp) =>
        (other.container.get(TOKENS.RpcClient) as unknown as { peers: Map<string, { client: Client }> }).peers
          .get(app.server.id)
          ?.client.getChannel()
          .getConnectivityState(false) === connectivityState.READY;
      await waitFor(() => !others.some(connected), `the others to see ${app.server.id}'s connections drop`);
    },
  },
);
