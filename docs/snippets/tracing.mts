// README's tracing fragment, between the region marks, with what it takes from the sections before
import 'reflect-metadata';
import { bootstrap } from '@pitaya-ts/core';
import { natsRpcModule } from '@pitaya-ts/nats';
import { etcdDiscoveryModule } from '@pitaya-ts/etcd';

// #region readme
import { tracingModule } from '@pitaya-ts/tracing';

const app = await bootstrap({
  serverType: 'room',
  providers: [natsRpcModule(), etcdDiscoveryModule(), tracingModule()],
});
// #endregion
await app.start();
