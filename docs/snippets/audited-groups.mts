// README's Providers fragment (a provider as a container module), between the region marks
import 'reflect-metadata';
import { bootstrap } from '@pitaya-ts/core';
import { natsRpcModule } from '@pitaya-ts/nats';
import { etcdDiscoveryModule } from '@pitaya-ts/etcd';

// #region readme
import { ContainerModule } from 'inversify';
import { TOKENS } from '@pitaya-ts/core';
import { MemoryGroupService } from '@pitaya-ts/core/provider';

/** The memory groups, logging each group made. */
class AuditedGroups extends MemoryGroupService {
  override async create(name: string, ttl?: number): Promise<void> {
    console.log('group', name);
    await super.create(name, ttl);
  }
}

export const auditedGroups = () =>
  new ContainerModule(({ rebind }) => {
    rebind(TOKENS.GroupService).toDynamicValue(
      (ctx) =>
        new AuditedGroups(
          ctx.get(TOKENS.UserMessenger),
          ctx.get(TOKENS.Config).get('pitaya.groups.memory.tickduration'),
        ),
    );
  });

const app = await bootstrap({
  serverType: 'room',
  providers: [natsRpcModule(), etcdDiscoveryModule(), auditedGroups()],
});
// #endregion
await app.start();
