import 'reflect-metadata';
import { inject } from 'inversify';
import { connect, type PitayaClient } from '@pitaya-ts/client';
import { bootstrap, Handler, TcpAcceptor, TOKENS, WsAcceptor, type PitayaApp, type ServerInfo } from '@pitaya-ts/core';
import { etcdDiscoveryModule } from '@pitaya-ts/etcd';
import { natsRpcModule } from '@pitaya-ts/nats';
import { startEtcdServer, startNatsServer, waitFor, type EtcdServer, type NatsServer } from '@pitaya-ts/testing';
import { ReadCounter, RequestLoops } from '../../core/test/request-loops';

const CLIENTS = 200;
/** Requests handled, by room server. */
const handled: Record<string, number> = {};

@Handler('load')
class LoadHandler {
  constructor(@inject(TOKENS.ServerInfo) private readonly self: ServerInfo) {}

  async work(): Promise<{ by: string }> {
    // work that takes a while, as a database call would: RPCs are in flight whenever the room stops
    await new Promise((resolve) => setTimeout(resolve, 20));
    handled[this.self.id] = (handled[this.self.id] ?? 0) + 1;
    return { by: this.self.id };
  }
}

describe('a cluster stopped under load (NATS and etcd)', () => {
  let nats: NatsServer;
  let etcd: EtcdServer;
  let prefix = 0;
  let apps: PitayaApp[] = [];
  let clients: PitayaClient[] = [];

  beforeAll(async () => {
    [nats, etcd] = await Promise.all([startNatsServer(), startEtcdServer()]);
  }, 30_000);

  afterAll(async () => {
    await nats?.stop();
    await etcd?.destroy();
  });

  afterEach(async () => {
    await Promise.all(clients.map((client) => client.close()));
    for (const app of apps) await app.stop();
    apps = [];
    clients = [];
  }, 30_000);

  /** Two room servers and a connector (WebSocket and TCP) that forwards to them. */
  async function cluster(reads: ReadCounter): Promise<{ connector: PitayaApp; rooms: PitayaApp[] }> {
    const config = {
      'pitaya.log.level': 'silent',
      'pitaya.cluster.rpc.client.nats.connect': nats.url,
      'pitaya.cluster.rpc.server.nats.connect': nats.url,
      'pitaya.cluster.sd.etcd.endpoints': etcd.endpoint,
      'pitaya.cluster.sd.etcd.prefix': `stop-${process.pid}-${++prefix}/`,
      'pitaya.cluster.sd.etcd.shutdown.delay': '0ms',
    };
    const providers = () => [natsRpcModule(), etcdDiscoveryModule()];
    const rooms: PitayaApp[] = [];
    for (const id of ['room-0', 'room-1']) {
      const room = await bootstrap({
        serverType: 'room',
        serverId: id,
        handlers: [LoadHandler],
        providers: providers(),
        config,
        handleSignals: false,
      });
      await room.start();
      rooms.push(room);
      apps.push(room);
    }
    const connector = await bootstrap({
      serverType: 'connector',
      serverId: 'connector-0',
      acceptors: [
        reads.wrap(new WsAcceptor({ host: '127.0.0.1', port: 0 })),
        reads.wrap(new TcpAcceptor({ host: '127.0.0.1', port: 0 })),
      ],
      providers: providers(),
      config,
      handleSignals: false,
    });
    await connector.start();
    apps.unshift(connector); // stopped first
    const discovery = connector.container.get(TOKENS.ServiceDiscovery);
    await waitFor(() => discovery.getServersByType('room').length === 2, 20_000, 'the connector to see both rooms');
    const urls = connector.acceptors.map((a) => `${a.protocol}://127.0.0.1:${a.address()!.port}`);
    clients = await Promise.all(
      Array.from({ length: CLIENTS }, (_, i) => connect(urls[i % urls.length]!, { timeout: 10_000 })),
    );
    return { connector, rooms };
  }

  it('stopping the connector: every request it read is answered, after the forward to the room', async () => {
    const reads = new ReadCounter();
    const { connector } = await cluster(reads);
    const loops = new RequestLoops(clients, 'room.load.work');
    await waitFor(() => loops.answered >= 5 * CLIENTS, 30_000, 'every client to be looping');

    await connector.stop();
    await loops.done;

    expect(loops.failures).toEqual([]);
    expect(loops.answered + loops.errored).toBe(reads.read);
    expect(loops.errors).toEqual({});
    expect(loops.cutOff).toBe(loops.sent - reads.read);
  }, 60_000);

  it('stopping a room: the RPCs it received are answered, and the rest go to the other room', async () => {
    const { connector, rooms } = await cluster(new ReadCounter());
    const loops = new RequestLoops(clients, 'room.load.work');
    await waitFor(() => loops.answered >= 5 * CLIENTS, 30_000, 'every client to be looping');

    const before = handled['room-0'] ?? 0;
    await rooms[0]!.stop();
    expect(handled['room-0']).toBeGreaterThan(before); // it was busy when it stopped
    const after = loops.answered;
    await waitFor(() => loops.answered >= after + 5 * CLIENTS, 30_000, 'the other room to take the load');
    await loops.stop();

    // no request lost: none timed out on the connector (PIT-408) or on the client, none failed
    expect(loops.failures).toEqual([]);
    expect(loops.errors).toEqual({});
    expect(loops.answered).toBe(loops.sent);
    expect(connector.running).toBe(true);
  }, 60_000);
});
