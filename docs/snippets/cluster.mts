// README's cluster fragment, between the region marks, with what it takes from the sections before
import 'reflect-metadata';
import { bootstrap, Handler, Remote } from '@pitaya-ts/core';

@Handler('room')
class RoomHandler {}
@Remote()
class RoomRemote {}

// #region readme
import { natsRpcModule } from '@pitaya-ts/nats';
import { etcdDiscoveryModule } from '@pitaya-ts/etcd';

const room = await bootstrap({
  serverType: 'room',
  handlers: [RoomHandler],
  remotes: [RoomRemote],
  providers: [natsRpcModule(), etcdDiscoveryModule()], // pitaya.cluster.rpc.* and pitaya.cluster.sd.etcd.*
});
// #endregion
await room.start();
