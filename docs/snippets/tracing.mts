// README's tracing fragment, between the region marks
import 'reflect-metadata';
import { bootstrap } from '@pitaya-ts/core';
import { etcdDiscoveryModule } from '@pitaya-ts/etcd';
import { natsRpcModule } from '@pitaya-ts/nats';

// #region readme
import { tracingModule } from '@pitaya-ts/tracing';

const app = await bootstrap({
  serverType: 'room',
  providers: [natsRpcModule(), etcdDiscoveryModule(), tracingModule()],
});
// #endregion
await app.start();
