import { ContainerModule } from 'inversify';
import { TOKENS } from '@pitaya-ts/core';
import { EtcdGroupService } from './etcd-group-service';

/** Groups kept in etcd, seen alike by every server (`pitaya.groups.etcd.*`). */
export function etcdGroupsModule(): ContainerModule {
  return new ContainerModule(({ rebind }) => {
    rebind(TOKENS.GroupService).toDynamicValue((ctx) => {
      const config = ctx.get(TOKENS.Config);
      return new EtcdGroupService({
        endpoints: config.get('pitaya.groups.etcd.endpoints'),
        prefix: config.get('pitaya.groups.etcd.prefix'),
        dialTimeoutMs: config.get('pitaya.groups.etcd.dialtimeout'),
        transactionTimeoutMs: config.get('pitaya.groups.etcd.transactiontimeout'),
        messenger: ctx.get(TOKENS.UserMessenger),
      });
    });
  });
}
