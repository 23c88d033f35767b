import { createLogger, PitayaError, type ServerInfo, type ServiceDiscovery } from '@pitaya-ts/core';
import {
  RpcMsgType,
  RpcType,
  UnreachableServers,
  type RpcHandler,
  type RpcRequest,
  type RpcResponse,
} from '@pitaya-ts/core/provider';
import { GrpcRpcClient, GrpcRpcServer } from '@pitaya-ts/grpc';
import { waitFor } from '@pitaya-ts/testing';
import { deferred } from '../../core/test/helpers';

const logger = createLogger('silent');
const self: ServerInfo = { id: 'room-stop', type: 'room', frontend: false, hostname: 'h', metadata: {} };
const request = (route: string): RpcRequest => ({
  type: RpcType.User,
  msg: { id: 0, route, data: new Uint8Array(), type: RpcMsgType.Request },
  frontendId: '',
  metadata: {},
});

describe('the gRPC server answering every call', () => {
  let server: GrpcRpcServer;
  let client: GrpcRpcClient;
  const release = deferred();
  const started: string[] = [];
  const handler: RpcHandler = {
    handle: async (req): Promise<RpcResponse> => {
      started.push(req.msg.route);
      if (req.msg.route.endsWith('slow')) await release.promise;
      if (req.msg.route.endsWith('never')) await new Promise(() => undefined);
      if (req.msg.route.endsWith('crash')) throw new Error('secret internals');
      return { data: new TextEncoder().encode(req.msg.route) };
    },
    pushToUser: () => undefined,
    kickUser: () => undefined,
    bindAnnounced: () => undefined,
  };

  beforeEach(async () => {
    self.metadata = {};
    server = new GrpcRpcServer({ port: 0, host: '127.0.0.1', region: '', self, bindings: undefined, logger });
    await server.start(handler);
    client = new GrpcRpcClient({
      dialTimeoutMs: 5000,
      requestTimeoutMs: 5000,
      lazy: true,
      region: '',
      self: { ...self, id: 'connector-stop' },
      discovery: { addListener: () => undefined } as unknown as ServiceDiscovery,
      unreachable: new UnreachableServers(1000),
      bindings: undefined,
      logger,
    });
    await client.start();
    started.length = 0;
  });

  afterEach(async () => {
    await client.stop();
    await server.stop();
  });

  it('answers the calls it runs, and tells the ones that come meanwhile they were not run', async () => {
    const slow = client.call(self, request('room.r.slow'), 30_000);
    await waitFor(() => started.includes('room.r.slow'));
    const stopped = server.stop(30_000);
    const late = await client.call(self, request('room.r.late'), 30_000);
    expect(PitayaError.isNotRun(late.error!)).toBe(true);
    expect(started).toEqual(['room.r.slow']);
    release.resolve();
    await expect(slow).resolves.toEqual({ data: new TextEncoder().encode('room.r.slow') });
    await stopped;
  });

  it('answers a handler that crashed with PIT-500, without its internals, and keeps serving', async () => {
    const crashed = await client.call(self, request('room.r.crash'), 5000);
    expect(crashed.error).toMatchObject({ code: 'PIT-500', msg: 'internal error' });
    await expect(client.call(self, request('room.r.ok'), 5000)).resolves.toEqual({
      data: new TextEncoder().encode('room.r.ok'),
    });
  });

  it('answers what still runs past its timeout with PIT-503', async () => {
    const never = client.call(self, request('room.r.never'), 30_000);
    await waitFor(() => started.includes('room.r.never'));
    await server.stop(100);
    await expect(never).resolves.toMatchObject({ error: { code: 'PIT-503' } });
  });
});
