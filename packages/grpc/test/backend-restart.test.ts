import 'reflect-metadata';
import { connectivityState, type Client, type Server } from '@grpc/grpc-js';
import { bootstrap, TOKENS, type PitayaApp } from '@pitaya-ts/core';
import { etcdBindingStorageModule, etcdDiscoveryModule } from '@pitaya-ts/etcd';
import { grpcRpcModule } from '@pitaya-ts/grpc';
import { freePort, startEtcdServer, waitFor, type EtcdServer } from '@pitaya-ts/testing';
import { quiet, RoomRemote } from '../../core/test/cluster/fixtures';

let etcd: EtcdServer;
const apps: PitayaApp[] = [];

beforeAll(async () => {
  etcd = await startEtcdServer();
}, 30_000);

afterAll(async () => {
  for (const app of apps.reverse()) await app.stop();
  await etcd?.destroy();
}, 30_000);

async function server(serverType: string, port: number): Promise<PitayaApp> {
  const app = await bootstrap({
    serverType,
    serverId: `${serverType}-restart`,
    remotes: serverType === 'room' ? [RoomRemote] : [],
    providers: [grpcRpcModule(), etcdDiscoveryModule(), etcdBindingStorageModule()],
    config: {
      ...quiet,
      'pitaya.cluster.rpc.server.grpc.port': port,
      'pitaya.cluster.rpc.server.grpc.host': '127.0.0.1',
      // a call waiting for its deadline would show as PIT-408, not as the server being unreachable
      'pitaya.cluster.rpc.client.grpc.requesttimeout': '30s',
      'pitaya.cluster.sd.etcd.endpoints': etcd.endpoint,
      'pitaya.cluster.sd.etcd.prefix': 'restart/',
      'pitaya.cluster.sd.etcd.shutdown.delay': '0ms',
      'pitaya.modules.bindingstorage.etcd.endpoints': etcd.endpoint,
      'pitaya.modules.bindingstorage.etcd.prefix': 'restart/',
    },
    handleSignals: false,
  });
  apps.push(app);
  await app.start();
  return app;
}

it('fails calls to a killed backend at once, and calls it again once it is back on its address', async () => {
  const port = await freePort();
  const room = await server('room', port);
  const connector = await server('connector', 0);
  await waitFor(() => connector.container.get(TOKENS.ServiceDiscovery).getServer(room.server.id) !== undefined);
  await expect(connector.rpcTo(room.server.id, 'room.roomRemote.echo', { n: 1 })).resolves.toMatchObject({ n: 2 });

  // killed: its connections drop and nobody listens on its port; discovery still lists it
  (room.container.get(TOKENS.RpcServer) as unknown as { server: Server }).server.forceShutdown();
  const peers = (connector.container.get(TOKENS.RpcClient) as unknown as { peers: Map<string, { client: Client }> })
    .peers;
  await waitFor(
    () => peers.get(room.server.id)?.client.getChannel().getConnectivityState(false) !== connectivityState.READY,
    'the connector to see the connection drop',
  );
  await expect(connector.rpcTo(room.server.id, 'room.roomRemote.echo', { n: 1 })).rejects.toMatchObject({
    code: 'PIT-500',
    unreachable: true,
  });

  // the same server again, on the same address
  await server('room', port);
  await waitFor(
    async () =>
      (await connector.rpcTo(room.server.id, 'room.roomRemote.echo', { n: 3 }).catch(() => undefined)) !== undefined,
    20_000,
    'calls to the restarted backend',
  );
  await expect(connector.rpcTo(room.server.id, 'room.roomRemote.echo', { n: 5 })).resolves.toMatchObject({ n: 6 });
}, 60_000);
