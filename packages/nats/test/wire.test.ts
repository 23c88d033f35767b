import 'reflect-metadata';
import { connect as natsConnect, type NatsConnection } from '@nats-io/transport-node';
import { loadSync } from 'protobufjs';
import * as path from 'node:path';
import { MemoryCluster } from '@pitaya-ts/core/provider';
import { natsRpcModule } from '@pitaya-ts/nats';
import { startNatsServer, waitFor, type NatsServer } from '@pitaya-ts/testing';
import { held, startCluster, type TestCluster } from '../../core/test/cluster/fixtures';

// decoded with proto/pitaya.proto itself, not with the code under test
const root = loadSync(path.resolve(__dirname, '../../../proto/pitaya.proto'));
// a decoded proto as a plain object: the fields these tests read
interface Decoded {
  route: string;
  uid: string;
  data: Uint8Array;
  metadata: Uint8Array;
  msg: { id: number; route: string; data: Uint8Array };
  session: { data: Uint8Array };
}
const decode = (type: string, data: Uint8Array) =>
  root
    .lookupType(`protos.${type}`)
    .toObject(root.lookupType(`protos.${type}`).decode(data), { longs: Number, defaults: true }) as Decoded;
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString();

describe('what crosses NATS', () => {
  let nats: NatsServer;
  let spy: NatsConnection;
  let cluster: TestCluster;
  const seen: { subject: string; data: Uint8Array; reply?: string; boundAt?: string }[] = [];
  const discovery = new MemoryCluster();

  beforeAll(async () => {
    nats = await startNatsServer();
    spy = await natsConnect({ servers: nats.url });
    // Pitaya's subjects are single tokens ("/"-separated): ">" sees them all
    spy.subscribe('>', {
      callback: (_err, msg) =>
        void seen.push({
          subject: msg.subject,
          data: msg.data,
          reply: msg.reply,
          boundAt: msg.headers?.get('Pitaya-Ts-Bound-At'),
        }),
    });
    await spy.flush();
    const config = {
      'pitaya.cluster.rpc.client.nats.connect': nats.url,
      'pitaya.cluster.rpc.server.nats.connect': nats.url,
    };
    // NATS carries the RPCs; discovery stays in memory so only NATS traffic is observed
    const memory = discovery.providers();
    cluster = await startCluster(() => [memory, natsRpcModule()], { connectors: 2, config });
  }, 30_000);

  afterAll(async () => {
    await cluster?.stop();
    await spy?.close();
    await nats?.stop();
  });

  // the spy has its own connection: its copies may come a moment after the parties' own
  const now = (start: number, subject: string) => seen.slice(start).filter((m) => m.subject === subject);
  const after = async (start: number, subject: string) => {
    await waitFor(() => now(start, subject).length > 0);
    return now(start, subject);
  };

  it('forwards a client request as a Sys Request on pitaya/servers/<type>/<id>, answered with a Response', async () => {
    const client = await cluster.client();
    await client.request('connector.entry.login', { uid: 'wire-1' });
    const start = seen.length;
    await client.request('room.room.whoami', { hello: 1 });
    const [request] = await after(start, 'pitaya/servers/room/room-0');
    expect(request).toBeDefined();
    const decoded = decode('Request', request!.data);
    expect(decoded).toMatchObject({
      type: 0, // Sys
      frontendID: 'connector-0',
      session: { uid: 'wire-1' },
      msg: { route: 'room.room.whoami', type: 0 },
    });
    expect(decoded.msg.id).toBeGreaterThan(0);
    expect(JSON.parse(text(decoded.msg.data))).toEqual({ hello: 1 });
    expect(JSON.parse(text(decoded.session.data))).toEqual({});
    expect(JSON.parse(text(decoded.metadata))).toMatchObject({
      'req-route': 'room.room.whoami',
      'peer.id': 'connector-0',
      'peer.service': 'connector',
      reqTimeout: '5s',
      'req-start-time': expect.any(Number),
    });
    const [reply] = await after(start, request!.reply!);
    expect(JSON.parse(text((decode('Response', reply!.data) as { data: Uint8Array }).data))).toMatchObject({
      uid: 'wire-1',
    });
  });

  it('answers a forwarded notify with Response{data:"ack"}', async () => {
    const client = await cluster.client();
    const start = seen.length;
    client.notify('room.room.note', { text: 'wire' });
    await waitFor(() => now(start, 'pitaya/servers/room/room-0').length === 1);
    const [request] = await after(start, 'pitaya/servers/room/room-0');
    expect(decode('Request', request!.data)).toMatchObject({ msg: { type: 1, id: 0 } });
    await waitFor(() => now(start, request!.reply!).length === 1);
    expect(
      text((decode('Response', (await after(start, request!.reply!))[0]!.data) as { data: Uint8Array }).data),
    ).toBe('ack');
  });

  it('binds from the backend with a User RPC sys.bindsession carrying a protos.Session', async () => {
    const client = await cluster.client();
    const start = seen.length;
    await client.request('room.room.bind', { uid: 'wire-2' });
    const calls = (await after(start, 'pitaya/servers/connector/connector-0')).map((m) => decode('Request', m.data));
    const bind = calls.find((r) => r.msg.route === 'sys.bindsession')!;
    expect(bind).toMatchObject({ type: 1 }); // User
    expect(decode('Session', bind.msg.data)).toMatchObject({ uid: 'wire-2' });
    // the frontend announces the bind for unique sessions
    const [announce] = await after(start, 'pitaya/connector/bindings');
    expect(decode('BindMsg', announce!.data)).toEqual({ uid: 'wire-2', fid: 'connector-0' });
    // Pitaya's BindMsg, byte for byte; the bind's time beside it, in a header Go servers ignore
    expect(Buffer.from(announce!.data)).toEqual(
      Buffer.from(root.lookupType('protos.BindMsg').encode({ uid: 'wire-2', fid: 'connector-0' }).finish()),
    );
    const session = cluster.connectors[0]!.sessions.getByUid('wire-2')!;
    expect(announce!.boundAt).toBe(String(session.boundAt));
  });

  it('pushes to a user on pitaya/<frontendType>/user/<uid>/push and kicks on .../kick', async () => {
    const client = await cluster.client(1);
    await client.request('connector.entry.login', { uid: 'wire-3' });
    const start = seen.length;
    const pushed = new Promise((resolve) => client.on('onNews', resolve));
    await cluster.rooms[0]!.pushToUsers('onNews', { n: 1 }, ['wire-3'], 'connector');
    await expect(pushed).resolves.toEqual({ n: 1 });
    await waitFor(() => now(start, 'pitaya/connector/user/wire-3/push').length === 1);
    const [push] = await after(start, 'pitaya/connector/user/wire-3/push');
    const decoded = decode('Push', push!.data) as { route: string; uid: string; data: Uint8Array };
    expect(decoded.route).toBe('onNews');
    expect(decoded.uid).toBe('wire-3');
    expect(JSON.parse(text(decoded.data))).toEqual({ n: 1 });

    await cluster.rooms[0]!.kickUsers(['wire-3'], undefined, 'connector');
    await waitFor(() => now(start, 'pitaya/connector/user/wire-3/kick').length === 1);
    const [kick] = await after(start, 'pitaya/connector/user/wire-3/kick');
    expect(decode('KickMsg', kick!.data)).toEqual({ userId: 'wire-3' });
  });

  it('makes a User RPC to a remote with its error in Response.error', async () => {
    const start = seen.length;
    await expect(cluster.connectors[0]!.rpc('room.roomRemote.fail', {})).rejects.toMatchObject({ code: 'PIT-556' });
    const [request] = await after(start, 'pitaya/servers/room/room-0');
    expect(decode('Request', request!.data)).toMatchObject({ type: 1, msg: { route: 'room.roomRemote.fail' } });
    const [reply] = await after(start, request!.reply!);
    expect(decode('Response', reply!.data)).toMatchObject({
      error: { code: 'PIT-556', msg: 'remote says no', metadata: { why: 'test' } },
    });
  });

  it('sends the per-call deadline as reqTimeout, and the callee answers PIT-408 when it passes', async () => {
    const start = seen.length;
    const error = await cluster.connectors[0]!.rpc('room.roomRemote.held', {}, { timeout: 300 }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({
      code: 'PIT-408',
      metadata: { timeout: '300ms', route: 'room.roomRemote.held', server: 'room-0' },
    });
    const [request] = await after(start, 'pitaya/servers/room/room-0');
    expect(JSON.parse(text(decode('Request', request!.data).metadata))).toMatchObject({
      reqTimeout: '300ms',
    });
    // the callee gives up at the deadline too: its answer is a timeout, while the remote is still held
    expect(decode('Response', (await after(start, request!.reply!))[0]!.data)).toMatchObject({
      error: { code: 'PIT-408' },
    });
    expect(held.count).toBe(1);
    held.release();
  });

  it('keeps a call to the server itself off the network', async () => {
    const start = seen.length;
    await expect(cluster.rooms[0]!.rpcTo('room-0', 'room.roomRemote.echo', { n: 1 })).resolves.toMatchObject({ n: 2 });
    await expect(cluster.rooms[0]!.rpc('room.roomRemote.echo', { n: 2 })).resolves.toMatchObject({ n: 3 });
    await spy.flush();
    expect(seen.slice(start)).toEqual([]);
  });
});
