import 'reflect-metadata';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { createLogger, type BindingStorage, type ServerInfo, type ServiceDiscovery } from '@pitaya-ts/core';
import {
  protos,
  RpcMsgType,
  RpcType,
  UnreachableServers,
  type BindMessage,
  type PushMessage,
  type RpcHandler,
  type RpcRequest,
} from '@pitaya-ts/core/provider';
import { freePort } from '@pitaya-ts/testing';
import { GrpcRpcClient, GrpcRpcServer } from '@pitaya-ts/grpc';

// The other side of each call is built from proto/pitaya.proto by @grpc/proto-loader, independently
// of the code under test: a wrong path, field number or type would show here.
const definition = loadSync(path.resolve(__dirname, '../../../proto/pitaya.proto'), {
  longs: Number,
  defaults: true,
  enums: String,
});
const pitayaPackage = grpc.loadPackageDefinition(definition).protos as grpc.GrpcObject;
const Pitaya = pitayaPackage.Pitaya as grpc.ServiceClientConstructor;
// decoded messages, as plain objects
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- proto-loader's objects, read as pitaya.proto has them
type Decoded = Record<string, any>;

const logger = createLogger('silent');
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString();

type Callback = (err: Error | null, res: Decoded) => void;

function unary(client: grpc.Client, method: string, arg: unknown): Promise<Decoded> {
  const call = (client as unknown as Record<string, (arg: unknown, callback: Callback) => void>)[method]!;
  return new Promise((resolve, reject) => call.call(client, arg, (err, res) => (err ? reject(err) : resolve(res))));
}

function server(id: string, metadata: Record<string, string> = {}, frontend = false): ServerInfo {
  return { id, type: frontend ? 'connector' : 'room', frontend, hostname: 'localhost', metadata };
}

/** Discovery holding the servers given: enough for a client that is not started by a cluster. */
function discoveryOf(...servers: ServerInfo[]): ServiceDiscovery {
  return {
    start: async () => undefined,
    stop: async () => undefined,
    getServer: (id) => servers.find((s) => s.id === id),
    getServersByType: (type) => servers.filter((s) => s.type === type),
    servers: () => servers,
    addListener: () => undefined,
  };
}

/** Bindings in memory: uid → frontend id, whatever the frontend type. */
function bindingsOf(entries: Record<string, string>): BindingStorage {
  return {
    start: async () => undefined,
    stop: async () => undefined,
    frontendOf: async (_type, uid) => entries[uid],
    bind: async () => undefined,
    unbind: async () => undefined,
  };
}

describe('our gRPC server, called by a client built from pitaya.proto', () => {
  const received: { requests: RpcRequest[]; pushes: PushMessage[]; kicks: string[]; binds: BindMessage[] } = {
    requests: [],
    pushes: [],
    kicks: [],
    binds: [],
  };
  const handler: RpcHandler = {
    handle: async (request) => {
      received.requests.push(request);
      return request.msg.route === 'room.r.fail'
        ? { error: { code: 'PIT-555', msg: 'no', metadata: { why: 'test' } } }
        : { data: new TextEncoder().encode(`handled ${request.msg.route}`) };
    },
    pushToUser: (push) => void received.pushes.push(push),
    kickUser: (uid) => void received.kicks.push(uid),
    bindAnnounced: (bind) => void received.binds.push(bind),
  };
  const self = server('room-1', {}, true);
  const rpcServer = new GrpcRpcServer({ port: 0, host: '127.0.0.1', region: 'eu', self, bindings: undefined, logger });
  let client: grpc.Client;

  beforeAll(async () => {
    await rpcServer.start(handler);
    client = new Pitaya(`127.0.0.1:${self.metadata.grpcPort}`, grpc.credentials.createInsecure());
  });

  afterAll(async () => {
    client?.close();
    await rpcServer.stop();
  });

  it('publishes its address and region in the server metadata, as Pitaya names them', () => {
    expect(self.metadata).toEqual({ grpcHost: '127.0.0.1', grpcPort: String(rpcServer.port), region: 'eu' });
    expect(rpcServer.port).toBeGreaterThan(0);
  });

  it('serves Call: a Request in, its handler, a Response out', async () => {
    const response = await unary(client, 'Call', {
      type: 'Sys',
      session: { id: 7, uid: 'u1', data: Buffer.from('{"a":1}') },
      msg: { id: 3, route: 'room.r.join', data: Buffer.from('{}'), type: 'MsgRequest' },
      frontendID: 'connector-1',
      metadata: Buffer.from('{"reqTimeout":"5s","peer.id":"connector-1"}'),
    });
    expect(text(response.data)).toBe('handled room.r.join');
    expect(response.error).toBeNull();
    expect(received.requests.at(-1)).toMatchObject({
      type: RpcType.Sys,
      session: { id: 7, uid: 'u1' },
      msg: { id: 3, route: 'room.r.join', type: RpcMsgType.Request },
      frontendId: 'connector-1',
      metadata: { reqTimeout: '5s', 'peer.id': 'connector-1' },
    });
    expect(text(received.requests.at(-1)!.session!.data)).toBe('{"a":1}');

    const failed = await unary(client, 'Call', { type: 'User', msg: { route: 'room.r.fail' } });
    expect(failed.error).toEqual({ code: 'PIT-555', msg: 'no', metadata: { why: 'test' } });
  });

  it('serves PushToUser, SessionBindRemote and KickUser with the answers Pitaya gives', async () => {
    const push = await unary(client, 'PushToUser', { route: 'onChat', uid: 'u2', data: Buffer.from('{"t":1}') });
    expect(text(push.data)).toBe('ack');
    expect(received.pushes).toEqual([{ route: 'onChat', uid: 'u2', data: new Uint8Array(Buffer.from('{"t":1}')) }]);

    const bind = await unary(client, 'SessionBindRemote', { uid: 'u3', fid: 'connector-2' });
    expect(text(bind.data)).toBe('ack');
    expect(received.binds).toEqual([{ uid: 'u3', fid: 'connector-2' }]);

    await expect(unary(client, 'KickUser', { userId: 'u4' })).resolves.toEqual({ kicked: true });
    expect(received.kicks).toEqual(['u4']);
  });

  it('answers an undecodable Call with PIT-400, and keeps serving', async () => {
    const raw = new grpc.Client(`127.0.0.1:${rpcServer.port}`, grpc.credentials.createInsecure());
    const answer = await new Promise<Buffer>((resolve, reject) =>
      raw.makeUnaryRequest(
        '/protos.Pitaya/Call',
        (b: Buffer) => b,
        (b: Buffer) => b,
        Buffer.from([0x0a, 0xff, 0xff]),
        (err, res) => (err ? reject(err) : resolve(res!)),
      ),
    );
    raw.close();
    expect(protos.decodeResponse(answer).error).toMatchObject({ code: 'PIT-400' });
    expect(text((await unary(client, 'Call', { type: 'User', msg: { route: 'room.r.ok' } })).data)).toBe(
      'handled room.r.ok',
    );
  });
});

describe('our gRPC client, calling a server built from pitaya.proto', () => {
  const seen: { method: string; request: Decoded; deadline?: number }[] = [];
  let hold = false;
  const other = new grpc.Server();
  other.addService(Pitaya.service, {
    Call: (call: grpc.ServerUnaryCall<Decoded, Decoded>, answer: grpc.sendUnaryData<Decoded>) => {
      seen.push({ method: 'Call', request: call.request, deadline: Number(call.getDeadline()) });
      if (!hold) answer(null, { data: Buffer.from('from go') });
    },
    PushToUser: (call: grpc.ServerUnaryCall<Decoded, Decoded>, answer: grpc.sendUnaryData<Decoded>) => {
      seen.push({ method: 'PushToUser', request: call.request });
      answer(null, { data: Buffer.from('ack') });
    },
    SessionBindRemote: (call: grpc.ServerUnaryCall<Decoded, Decoded>, answer: grpc.sendUnaryData<Decoded>) => {
      seen.push({ method: 'SessionBindRemote', request: call.request });
      answer(null, { data: Buffer.from('ack') });
    },
    KickUser: (call: grpc.ServerUnaryCall<Decoded, Decoded>, answer: grpc.sendUnaryData<Decoded>) => {
      seen.push({ method: 'KickUser', request: call.request });
      answer(null, { kicked: true });
    },
  });
  let target: ServerInfo;
  let frontend: ServerInfo;
  let rpc: GrpcRpcClient;
  const self = server('connector-9', {}, true);

  beforeAll(async () => {
    const port = await new Promise<number>((resolve, reject) =>
      other.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      ),
    );
    target = server('room-go', { grpcHost: '127.0.0.1', grpcPort: String(port) });
    frontend = server('connector-go', { grpcHost: '127.0.0.1', grpcPort: String(port) }, true);
    rpc = new GrpcRpcClient({
      dialTimeoutMs: 5000,
      requestTimeoutMs: 5000,
      lazy: true,
      region: '',
      self,
      discovery: discoveryOf(target, frontend),
      unreachable: new UnreachableServers(2000),
      bindings: bindingsOf({ 'u-go': 'connector-go' }),
      logger,
    });
    await rpc.start();
  });

  afterAll(async () => {
    await rpc?.stop();
    other.forceShutdown();
  });

  const request: RpcRequest = {
    type: RpcType.User,
    msg: { id: 0, route: 'room.remote.echo', data: new TextEncoder().encode('{"n":1}'), type: RpcMsgType.Request },
    frontendId: '',
    metadata: { reqTimeout: '5s', 'peer.id': 'connector-9' },
  };

  it('sends Call with the Request as pitaya.proto has it, and the deadline', async () => {
    const before = Date.now();
    const response = await rpc.call(target, request, 3000);
    expect(text(response.data!)).toBe('from go');
    const last = seen.at(-1)!;
    expect(last.method).toBe('Call');
    expect(last.request).toMatchObject({
      type: 'User',
      msg: { id: 0, route: 'room.remote.echo', type: 'MsgRequest', data: Buffer.from('{"n":1}') },
      frontendID: '',
    });
    expect(JSON.parse(text(last.request.metadata))).toEqual({ reqTimeout: '5s', 'peer.id': 'connector-9' });
    // the callee sees the caller's deadline
    expect(last.deadline).toBeGreaterThanOrEqual(before + 3000 - 50);
  });

  it('pushes, kicks and announces binds to the frontend the binding storage names', async () => {
    await rpc.pushToUser('connector', { route: 'onChat', uid: 'u-go', data: Buffer.from('{"t":2}') });
    await rpc.kickUser('connector', 'u-go');
    await rpc.announceBind('connector', { uid: 'u-go', fid: 'connector-9' });
    const [push, kick, bind] = seen.slice(-3);
    expect(push).toMatchObject({ method: 'PushToUser', request: { route: 'onChat', uid: 'u-go' } });
    expect(text(push!.request.data)).toBe('{"t":2}');
    expect(kick).toEqual({ method: 'KickUser', request: { userId: 'u-go' } });
    expect(bind).toEqual({ method: 'SessionBindRemote', request: { uid: 'u-go', fid: 'connector-9' } });
    // a user nobody holds: PIT-404, and nothing sent
    const count = seen.length;
    await expect(
      rpc.pushToUser('connector', { route: 'x', uid: 'nobody', data: new Uint8Array() }),
    ).rejects.toMatchObject({ code: 'PIT-404' });
    expect(seen.length).toBe(count);
  });

  it('times out with PIT-408 and Pitaya metadata', async () => {
    hold = true;
    try {
      await expect(rpc.call(target, request, 300)).rejects.toMatchObject({
        code: 'PIT-408',
        metadata: { timeout: '300ms', route: 'room.remote.echo', server: 'room-go', 'peer.id': 'connector-9' },
      });
    } finally {
      hold = false;
    }
  });

  it('fails a call to an address nobody listens on at once, as unreachable', async () => {
    const gone = server('room-gone', { grpcHost: '127.0.0.1', grpcPort: String(await freePort()) });
    await expect(rpc.call(gone, request, 60_000)).rejects.toMatchObject({ code: 'PIT-500', unreachable: true });
  });

  it('refuses a server without a gRPC address with a clear error', async () => {
    await expect(rpc.call(server('room-nats'), request, 1000)).rejects.toMatchObject({
      code: 'PIT-500',
      message: expect.stringContaining('no gRPC address'),
    });
  });
});
