// README's gRPC fragment, between the region marks, with what it takes from the sections before
import 'reflect-metadata';
import { bootstrap, WsAcceptor } from '@pitaya-ts/core';

// #region readme
import { grpcRpcModule } from '@pitaya-ts/grpc';
import { etcdBindingStorageModule, etcdDiscoveryModule, etcdGroupsModule } from '@pitaya-ts/etcd';

const connector = await bootstrap({
  serverType: 'connector',
  acceptors: [new WsAcceptor({ port: 3250 })],
  // gRPC finds users through the binding storage; etcd groups are optional
  providers: [grpcRpcModule(), etcdDiscoveryModule(), etcdBindingStorageModule(), etcdGroupsModule()],
});
// #endregion
await connector.start();
