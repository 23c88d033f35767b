import { ContainerModule } from 'inversify';
import { TOKENS } from '@pitaya-ts/core';
import { EtcdBindingStorage } from './etcd-binding-storage';

/**
 * Where users are connected, kept in etcd (`pitaya.modules.bindingstorage.etcd.*`): what gRPC RPC
 * needs to push to, kick and tell of binds users of other frontends. Frontends write their users'
 * bindings; every server reads them.
 */
export function etcdBindingStorageModule(): ContainerModule {
  return new ContainerModule(({ isBound, bind, rebind }) => {
    const binding = isBound(TOKENS.BindingStorage) ? rebind(TOKENS.BindingStorage) : bind(TOKENS.BindingStorage);
    binding.toDynamicValue((ctx) => {
      const config = ctx.get(TOKENS.Config);
      return new EtcdBindingStorage({
        endpoints: config.get('pitaya.modules.bindingstorage.etcd.endpoints'),
        prefix: config.get('pitaya.modules.bindingstorage.etcd.prefix'),
        dialTimeoutMs: config.get('pitaya.modules.bindingstorage.etcd.dialtimeout'),
        leaseTtlSec: Math.max(1, Math.round(config.get('pitaya.modules.bindingstorage.etcd.leasettl') / 1000)),
        self: ctx.get(TOKENS.ServerInfo),
        logger: ctx.get(TOKENS.Logger).child({ component: 'etcd-bindings' }),
      });
    });
  });
}
