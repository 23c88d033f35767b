import { ContainerModule } from 'inversify';
import { TOKENS } from '@pitaya-ts/core';
import { GrpcRpcClient } from './grpc-rpc-client';
import { GrpcRpcServer } from './grpc-rpc-server';

/**
 * RPC over gRPC for a server (`pitaya.cluster.rpc.{client,server}.grpc.*`), Pitaya's `protos.Pitaya`
 * service. Pushes and kicks by uid and unique sessions across frontends need a binding storage
 * (`etcdBindingStorageModule()` of @pitaya-ts/etcd).
 */
export function grpcRpcModule(): ContainerModule {
  return new ContainerModule(({ rebind }) => {
    rebind(TOKENS.RpcClient).toDynamicValue((ctx) => {
      const config = ctx.get(TOKENS.Config);
      return new GrpcRpcClient({
        dialTimeoutMs: config.get('pitaya.cluster.rpc.client.grpc.dialtimeout'),
        requestTimeoutMs: config.get('pitaya.cluster.rpc.client.grpc.requesttimeout'),
        lazy: config.get('pitaya.cluster.rpc.client.grpc.lazyconnection'),
        region: config.get('pitaya.cluster.info.region'),
        self: ctx.get(TOKENS.ServerInfo),
        discovery: ctx.get(TOKENS.ServiceDiscovery),
        unreachable: ctx.get(TOKENS.UnreachableServers),
        bindings: ctx.get(TOKENS.BindingStorage, { optional: true }),
        logger: ctx.get(TOKENS.Logger).child({ component: 'grpc-rpc-client' }),
      });
    });
    rebind(TOKENS.RpcServer).toDynamicValue((ctx) => {
      const config = ctx.get(TOKENS.Config);
      return new GrpcRpcServer({
        port: config.get('pitaya.cluster.rpc.server.grpc.port'),
        host: config.get('pitaya.cluster.rpc.server.grpc.host'),
        region: config.get('pitaya.cluster.info.region'),
        self: ctx.get(TOKENS.ServerInfo),
        bindings: ctx.get(TOKENS.BindingStorage, { optional: true }),
        logger: ctx.get(TOKENS.Logger).child({ component: 'grpc-rpc-server' }),
      });
    });
  });
}
