import 'reflect-metadata';
import { connect, type PitayaClient } from '@pitaya-ts/client';
import * as copyA from '@pitaya-ts/core';
import type { PitayaApp, RpcClient, ServerInfo, ServiceDiscovery } from '@pitaya-ts/core';
import type { RpcRequest, RpcResponse } from '@pitaya-ts/core/provider';
import type * as rpcCaller from '../src/cluster/rpc-caller';
import type * as route from '../src/routing/route';
import { SILENT, wsAcceptor } from './helpers';

/**
 * Two installed copies of core, as when a provider package brings its own: errors made with one
 * copy's PitayaError are thrown through the other's router, message processor and cluster.
 */
type Core = typeof copyA;
type Provider = typeof import('@pitaya-ts/core/provider');

let copyB!: Core;
let providerB!: Provider;
let rpcCallerB!: typeof rpcCaller;
let routeB!: typeof route;

// a module registry of its own: core and protocol are loaded again, classes and all
// (requireActual: require() with the module's type, as nothing here is mocked)
jest.isolateModules(() => {
  copyB = jest.requireActual<Core>('@pitaya-ts/core');
  providerB = jest.requireActual<Provider>('@pitaya-ts/core/provider');
  rpcCallerB = jest.requireActual<typeof rpcCaller>('../src/cluster/rpc-caller');
  routeB = jest.requireActual<typeof route>('../src/routing/route');
});

it('loads two copies whose classes differ', () => {
  expect(copyB.PitayaError).not.toBe(copyA.PitayaError);
  expect(new copyA.PitayaError('PIT-555', 'x')).not.toBeInstanceOf(copyB.PitayaError);
  expect(copyB.PitayaError.is(new copyA.PitayaError('PIT-555', 'x'))).toBe(true);
});

@copyA.Handler('entry')
class EntryHandler {
  @copyA.Request()
  async refuse() {
    throw new copyA.PitayaError('PIT-555', 'room is full', { room: 'lobby' });
  }
}

@copyA.Handler('room')
class RoomHandler {
  @copyA.Request()
  async refuse() {
    throw new copyA.PitayaError('PIT-556', 'the backend says no', { why: 'full' });
  }
}

@copyA.Remote()
class RoomRemote {
  async refuse() {
    throw new copyA.PitayaError('PIT-557', 'the remote says no', { why: 'full' });
  }
}

describe('a cluster built from one copy, with handlers built against the other', () => {
  const apps: PitayaApp[] = [];
  let client: PitayaClient | undefined;

  async function start(): Promise<{ connector: PitayaApp; client: PitayaClient }> {
    const cluster = new providerB.MemoryCluster();
    const common = { config: SILENT, handleSignals: false, providers: [cluster.providers()] };
    const room = await copyB.bootstrap({
      ...common,
      serverType: 'room',
      handlers: [RoomHandler],
      remotes: [RoomRemote],
    });
    await room.start();
    apps.push(room);
    const connector = await copyB.bootstrap({
      ...common,
      serverType: 'connector',
      handlers: [EntryHandler],
      acceptors: [wsAcceptor()],
    });
    await connector.start();
    apps.push(connector);
    client = await connect(`ws://127.0.0.1:${connector.acceptors[0]!.address()!.port}`);
    return { connector, client };
  }

  afterEach(async () => {
    await client?.close();
    for (const app of apps.splice(0)) await app.stop();
  });

  it("answers a local handler's error with its code", async () => {
    const { client } = await start();
    await expect(client.request('connector.entry.refuse', {})).rejects.toMatchObject({
      code: 'PIT-555',
      msg: 'room is full',
      metadata: { room: 'lobby' },
    });
  });

  it("keeps the codes of a backend handler's and a remote's errors", async () => {
    const { connector, client } = await start();
    await expect(client.request('room.room.refuse', {})).rejects.toMatchObject({
      code: 'PIT-556',
      msg: 'the backend says no',
      metadata: { why: 'full' },
    });
    await expect(connector.rpc('room.roomRemote.refuse', {})).rejects.toMatchObject({
      code: 'PIT-557',
      message: 'the remote says no',
      metadata: { why: 'full' },
    });
  });
});

const server = (id: string): ServerInfo => ({ id, type: 'room', frontend: false, hostname: 'h', metadata: {} });

describe('failover across copies', () => {
  it("sends a message elsewhere when the other copy's RPC client found its server unreachable", async () => {
    const servers = [server('a'), server('b')];
    const discovery: ServiceDiscovery = new providerB.StandaloneServiceDiscovery(servers[0]!);
    discovery.getServersByType = () => servers;
    discovery.getServer = (id) => servers.find((s) => s.id === id);
    const router = new providerB.DefaultRouter(discovery);
    router.addRoute('room', ({ servers }) => servers.find((s) => s.id === 'a') ?? servers[0]!);
    const tried: string[] = [];
    const answer = await providerB.routeAndCall(
      router,
      'room',
      'room.r.m',
      undefined,
      new Uint8Array(),
      async (target) => {
        tried.push(target.id);
        if (target.id === 'a') throw copyA.PitayaError.unreachable('a');
        return `from ${target.id}`;
      },
    );
    expect(answer).toBe('from b');
    expect(tried).toEqual(['a', 'b']);
  });

  it("takes the other copy's unreachable answer for a server gone: calls sent before fail, it leaves routing", async () => {
    const answers: { reject(err: unknown): void }[] = [];
    const client: RpcClient = {
      clustered: true,
      start: async () => undefined,
      stop: async () => undefined,
      pushToUser: async () => undefined,
      kickUser: async () => undefined,
      announceBind: async () => undefined,
      call: (_server: ServerInfo, _request: RpcRequest) =>
        new Promise<RpcResponse>((_resolve, reject) => answers.push({ reject })),
    };
    const self: ServerInfo = { id: 'front-1', type: 'connector', frontend: true, hostname: 'h', metadata: {} };
    const unreachable = new providerB.UnreachableServers(60_000);
    const caller = new rpcCallerB.RpcCaller(
      self,
      client,
      () => ({}) as never,
      new routeB.RouteParser('connector'),
      unreachable,
      0,
      copyB.NO_TRACER,
    );
    const call = () => caller.user(server('room-1'), 'room.r.m', new Uint8Array(), { timeoutMs: 60_000 });
    const before = call().catch((err: unknown) => err);
    const refused = call().catch((err: unknown) => err);
    answers[1]!.reject(copyA.PitayaError.unreachable('room-1'));

    await expect(refused).resolves.toMatchObject({ unreachable: true });
    expect(unreachable.has('room-1')).toBe(true);
    // it reached the server, which died with it: an error, not a retry
    await expect(before).resolves.toMatchObject({
      code: 'PIT-500',
      message: 'server room-1 went away before answering',
      unreachable: false,
    });
  });
});
