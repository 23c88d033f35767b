import 'reflect-metadata';
import * as net from 'node:net';
import { connectivityState, type Client } from '@grpc/grpc-js';
import {
  bootstrap,
  createLogger,
  type PitayaApp,
  type ServerInfo,
  type ServiceDiscovery,
  type ServiceDiscoveryListener,
} from '@pitaya-ts/core';
import {
  MemoryCluster,
  RpcMsgType,
  RpcType,
  UnreachableServers,
  type RpcHandler,
  type RpcRequest,
} from '@pitaya-ts/core/provider';
import { grpcAddress, grpcRpcModule, GrpcRpcClient, GrpcRpcServer } from '@pitaya-ts/grpc';
import { waitFor } from '@pitaya-ts/testing';
import { held, quiet, RoomRemote } from '../../core/test/cluster/fixtures';

const logger = createLogger('silent');

const server = (id: string, metadata: Record<string, string>): ServerInfo => ({
  id,
  type: 'room',
  frontend: false,
  hostname: 'h',
  metadata,
});

describe("the address a server is called at, as Pitaya's gRPC client picks it", () => {
  const both = {
    grpcHost: '10.0.0.1',
    grpcPort: '3434',
    'grpc-external-host': 'room.example',
    'grpc-external-port': '443',
  };

  it('is the internal one in the same region, the external one in another', () => {
    expect(grpcAddress(server('a', { ...both, region: 'eu' }), 'eu')).toBe('10.0.0.1:3434');
    expect(grpcAddress(server('a', { ...both, region: 'us' }), 'eu')).toBe('room.example:443');
  });

  it('is the external one for a server without a region, the internal one for a server without an external one', () => {
    expect(grpcAddress(server('a', both), 'eu')).toBe('room.example:443');
    expect(grpcAddress(server('a', { grpcHost: '10.0.0.1', grpcPort: '3434', region: 'us' }), 'eu')).toBe(
      '10.0.0.1:3434',
    );
  });

  it('is none for a server without a gRPC address (on NATS RPC), and brackets IPv6 hosts', () => {
    expect(grpcAddress(server('a', {}), 'eu')).toBeUndefined();
    expect(grpcAddress(server('a', { grpcHost: '::1', grpcPort: '1' }), '')).toBe('[::1]:1');
  });
});

describe('the gRPC client', () => {
  const handler: RpcHandler = {
    handle: async () => ({ data: new Uint8Array([1]) }),
    pushToUser: () => undefined,
    kickUser: () => undefined,
    bindAnnounced: () => undefined,
  };
  const target = server('room-1', {});
  const rpcServer = new GrpcRpcServer({
    port: 0,
    host: '127.0.0.1',
    region: '',
    self: target,
    bindings: undefined,
    logger,
  });
  const request: RpcRequest = {
    type: RpcType.User,
    msg: { id: 0, route: 'room.r.x', data: new Uint8Array(), type: RpcMsgType.Request },
    frontendId: '',
    metadata: {},
  };
  const clients: GrpcRpcClient[] = [];

  beforeAll(() => rpcServer.start(handler));
  afterAll(() => rpcServer.stop());
  afterEach(async () => {
    for (const client of clients.splice(0)) await client.stop();
  });

  /** A client whose discovery's listener the test calls. */
  async function client(options: { lazy?: boolean; dialTimeoutMs?: number } = {}) {
    let listener: ServiceDiscoveryListener = {};
    const discovery = {
      addListener: (l: ServiceDiscoveryListener) => void (listener = l),
      getServer: () => undefined,
    } as unknown as ServiceDiscovery;
    const rpc = new GrpcRpcClient({
      dialTimeoutMs: options.dialTimeoutMs ?? 5000,
      requestTimeoutMs: 5000,
      lazy: options.lazy ?? false,
      region: '',
      self: server('connector-1', {}),
      discovery,
      unreachable: new UnreachableServers(1000),
      bindings: undefined,
      logger,
    });
    await rpc.start();
    clients.push(rpc);
    const state = (id: string) =>
      (rpc as unknown as { peers: Map<string, { client: Client }> }).peers
        .get(id)
        ?.client.getChannel()
        .getConnectivityState(false);
    return {
      rpc,
      added: (s: ServerInfo) => listener.added!(s),
      removed: (s: ServerInfo) => listener.removed!(s),
      state,
    };
  }

  it('connects to a server when discovery adds it, and drops the connection when it goes', async () => {
    const { added, removed, state } = await client();
    added(target);
    await waitFor(() => state(target.id) === connectivityState.READY, 'the connection');
    removed(target);
    expect(state(target.id)).toBeUndefined();
  });

  it('with lazyconnection, connects at the first call only', async () => {
    const { rpc, added, state } = await client({ lazy: true });
    added(target);
    expect(state(target.id)).toBeUndefined();
    await expect(rpc.call(target, request, 5000)).resolves.toEqual({ data: new Uint8Array([1]) });
    expect(state(target.id)).toBe(connectivityState.READY);
  });

  it('gives up a connection that does not come up within the dial timeout: the call fails as unreachable', async () => {
    // accepts TCP connections and never speaks HTTP/2
    const mute = net.createServer(() => undefined);
    await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', resolve));
    const sockets: net.Socket[] = [];
    mute.on('connection', (socket) => sockets.push(socket));
    try {
      const { rpc } = await client({ lazy: true, dialTimeoutMs: 200 });
      const silent = server('room-mute', {
        grpcHost: '127.0.0.1',
        grpcPort: String((mute.address() as net.AddressInfo).port),
      });
      // a deadline of a minute: only the dial timeout ends this call
      await expect(rpc.call(silent, request, 60_000)).rejects.toMatchObject({ code: 'PIT-500', unreachable: true });
    } finally {
      for (const socket of sockets) socket.destroy();
      mute.close();
    }
  });
});

describe('pitaya.cluster.rpc.client.grpc.requesttimeout', () => {
  const apps: PitayaApp[] = [];
  afterAll(async () => {
    held.release();
    for (const app of apps) await app.stop();
  });

  it('is the deadline of RPCs made without one (PIT-408 with Pitaya metadata), whatever NATS says', async () => {
    const cluster = new MemoryCluster();
    const config = {
      ...quiet,
      'pitaya.cluster.rpc.server.grpc.port': 0,
      'pitaya.cluster.rpc.server.grpc.host': '127.0.0.1',
      'pitaya.cluster.rpc.client.grpc.requesttimeout': '300ms',
      'pitaya.cluster.rpc.client.nats.requesttimeout': '60s',
    };
    for (const serverType of ['room', 'connector']) {
      const app = await bootstrap({
        serverType,
        serverId: `${serverType}-timeout`,
        remotes: serverType === 'room' ? [RoomRemote] : [],
        // discovery in memory, RPC over gRPC
        providers: [cluster.providers(), grpcRpcModule()],
        config,
        handleSignals: false,
      });
      apps.push(app);
      await app.start();
    }
    await expect(apps[1]!.rpcTo('room-timeout', 'room.roomRemote.held', {})).rejects.toMatchObject({
      code: 'PIT-408',
      metadata: {
        timeout: '300ms',
        route: 'room.roomRemote.held',
        server: 'room-timeout',
        'peer.id': 'connector-timeout',
      },
    });
  });
});
