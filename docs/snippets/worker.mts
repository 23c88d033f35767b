// README's reliable RPC fragment, between the region marks, with what it takes from around it
import 'reflect-metadata';
import { bootstrap, Remote, type PitayaApp } from '@pitaya-ts/core';
import { etcdDiscoveryModule } from '@pitaya-ts/etcd';
import { natsRpcModule } from '@pitaya-ts/nats';

@Remote()
class RoomRemote {}
declare const app: PitayaApp;
declare const userId: string, room: string, badge: string;

// #region readme
import { reliableRpc, workerModule } from '@pitaya-ts/worker';

const types = { 'room.roomRemote.grantBadge': { request: 'cluster.GrantBadgeRequest' } };
const connector = await bootstrap({
  serverType: 'connector',
  providers: [natsRpcModule(), etcdDiscoveryModule(), workerModule({ types, runJobs: false })], // enqueues only
  // ...
});
const roomServer = await bootstrap({
  serverType: 'room',
  remotes: [RoomRemote],
  providers: [natsRpcModule(), etcdDiscoveryModule(), workerModule({ types })], // runs jobs
});

// in a connector handler (the app through @inject(TOKENS.App)):
const jid = await reliableRpc(app, 'room.roomRemote.grantBadge', { userId, room, badge }, { metadata: { room } });
// #endregion
await Promise.all([connector.start(), roomServer.start()]);
console.log(jid);
