import 'reflect-metadata';
import { inject, type ContainerModule } from 'inversify';
import { connect, type PitayaClient } from '@pitaya-ts/client';
import {
  bootstrap,
  Handler,
  Remote,
  Request,
  TOKENS,
  WsAcceptor,
  type HandlerContext,
  type PitayaApp,
  type ServerInfo,
} from '@pitaya-ts/core';
import { deferred, waitFor } from '../helpers';
import { EntryHandler, quiet } from './fixtures';

/** What the room servers of these tests did, as `<server id> <what>`. */
const seen: string[] = [];

/** `room.relay.ask {target}`: a handler that calls a remote of another server (nested RPC). */
@Handler('relay')
class RelayHandler {
  constructor(@inject(TOKENS.App) private readonly app: PitayaApp) {}

  @Request()
  async ask(body: { target: string; route: string }, ctx: HandlerContext) {
    seen.push(`${this.app.server.id} ask`);
    // the request's context (its deadline with it) goes on to the nested call
    return this.app.rpcTo(body.target, body.route, {}, { metadata: ctx.metadata });
  }
}

/** `room.gate.*`: `hold` never answers (a call stays in flight), `echo` answers at once. */
@Remote('gate')
class GateRemote {
  constructor(@inject(TOKENS.ServerInfo) private readonly self: ServerInfo) {}

  async hold() {
    seen.push(`${this.self.id} hold`);
    return new Promise(() => undefined);
  }

  async echo(arg: unknown) {
    seen.push(`${this.self.id} echo`);
    return arg;
  }
}

/** The RPC deadline, whichever transport carries the calls. */
const requestTimeout = (duration: string) => ({
  'pitaya.cluster.rpc.client.nats.requesttimeout': duration,
  'pitaya.cluster.rpc.client.grpc.requesttimeout': duration,
});

interface Cluster {
  connector: PitayaApp;
  rooms: Record<string, PitayaApp>;
  client(): Promise<PitayaClient>;
  /** The room server the connector routes a route to (any server of the type by default). */
  pin(route: string, serverId: string): void;
  stop(): Promise<void>;
}

/**
 * Failures and races of a cluster, whatever carries it: run with the in-memory providers and with
 * NATS and etcd alike. A server "dies" by losing its RPC server while discovery still lists it, as
 * a process killed without deregistering does until its lease expires.
 */
export function clusterFailuresSuite(
  title: string,
  providers: () => ContainerModule[],
  setup: {
    beforeAll?: () => Promise<void>;
    afterAll?: () => Promise<void>;
    config?: () => Record<string, unknown>;
    /** Makes a server's RPC server vanish as a killed process's does: nothing it holds is answered. */
    crash?: (app: PitayaApp, others: PitayaApp[]) => Promise<void>;
  } = {},
) {
  describe(`cluster failures: ${title}`, () => {
    let round = 0;
    let cluster: Cluster | undefined;

    beforeAll(async () => setup.beforeAll?.(), 30_000);
    afterAll(async () => setup.afterAll?.(), 30_000);
    afterEach(async () => {
      await cluster?.stop();
      cluster = undefined;
      seen.length = 0;
    }, 30_000);

    /** A connector and room servers `<name>-<round>`, seeing each other. */
    async function start(roomNames: string[], config: Record<string, unknown> = {}): Promise<Cluster> {
      const n = ++round;
      const all = { ...quiet, ...setup.config?.(), ...requestTimeout('2s'), ...config };
      const apps: PitayaApp[] = [];
      const clients: PitayaClient[] = [];
      const rooms: Record<string, PitayaApp> = {};
      const pins = new Map<string, string>();
      const stop = async () => {
        await Promise.all(clients.map((c) => c.close()));
        for (const app of apps) await app.stop();
      };
      try {
        for (const name of roomNames) {
          const room = await bootstrap({
            serverType: 'room',
            serverId: `${name}-${n}`,
            handlers: [RelayHandler],
            remotes: [GateRemote],
            providers: providers(),
            config: all,
            handleSignals: false,
          });
          apps.push(room);
          await room.start();
          rooms[name] = room;
        }
        const connector = await bootstrap({
          serverType: 'connector',
          serverId: `connector-${n}`,
          handlers: [EntryHandler],
          acceptors: [new WsAcceptor({ host: '127.0.0.1', port: 0 })],
          providers: providers(),
          config: all,
          handleSignals: false,
        });
        apps.push(connector);
        await connector.start();
        connector.addRoute('room', ({ route, servers }) => {
          const pinned = pins.get(route);
          return servers.find((s) => s.id === pinned) ?? servers[Math.floor(Math.random() * servers.length)]!;
        });
        const sees = (app: PitayaApp) => app.container.get(TOKENS.ServiceDiscovery).servers().length;
        await waitFor(() => apps.every((app) => sees(app) === apps.length), 10_000, 'every server to see the others');
        return {
          connector,
          rooms,
          async client() {
            const url = `ws://127.0.0.1:${connector.acceptors[0]!.address()!.port}`;
            const client = await connect(url);
            clients.push(client);
            return client;
          },
          pin: (route, serverId) => pins.set(route, serverId),
          stop,
        };
      } catch (err) {
        await stop();
        throw err;
      }
    }

    /** The server stops answering RPCs; discovery still lists it. */
    const kill = (app: PitayaApp) => {
      const others = cluster ? [cluster.connector, ...Object.values(cluster.rooms)].filter((a) => a !== app) : [];
      return setup.crash ? setup.crash(app, others) : app.container.get(TOKENS.RpcServer).stop();
    };

    it('keeps pushing to a user who logged in again on the same frontend while the old session closed', async () => {
      cluster = await start(['a']);
      const { connector, rooms } = cluster;
      const uid = `again-${round}`;
      const first = await cluster.client();
      await first.request('connector.entry.login', { uid });
      const old = connector.sessions.getByUid(uid)!;
      // the old session finishes closing only once the new one is bound: its leftovers come last
      const secondBound = deferred();
      old.onClose(() => secondBound.promise);
      const oldClosed = deferred();
      connector.sessions.onSessionClose((s) => {
        if (s === old) oldClosed.resolve();
      });

      const second = await cluster.client();
      await second.request('connector.entry.login', { uid });
      secondBound.resolve();
      await oldClosed.promise;

      const pushes: unknown[] = [];
      second.on('onPush', (body) => void pushes.push(body));
      await expect(rooms.a!.pushToUsers('onPush', { text: 'still there?' }, [uid], 'connector')).resolves.toEqual([]);
      await waitFor(() => pushes.length > 0, 10_000, 'the push to the new session');
      expect(pushes).toEqual([{ text: 'still there?' }]);
    });

    it('keeps pushing to a user whose other session closed before its bind was done', async () => {
      cluster = await start(['a'], { 'pitaya.session.unique': false });
      const { connector, rooms } = cluster;
      const uid = `twice-${round}`;
      const first = await cluster.client();
      await first.request('connector.entry.login', { uid });
      // the next bind waits in a bind callback while its connection closes
      const entered = deferred();
      const release = deferred();
      connector.sessions.onSessionBind(async () => {
        entered.resolve();
        await release.promise;
      });
      const quitter = await cluster.client();
      const refused = quitter.request('connector.entry.login', { uid }).catch((e: unknown) => e);
      await entered.promise;
      const closed = deferred();
      connector.sessions.onSessionClose(() => closed.resolve());
      await quitter.close();
      await closed.promise;
      release.resolve();
      await refused;

      const pushes: unknown[] = [];
      first.on('onPush', (body) => void pushes.push(body));
      await expect(rooms.a!.pushToUsers('onPush', { text: 'for the first' }, [uid], 'connector')).resolves.toEqual([]);
      await waitFor(() => pushes.length > 0, 10_000, 'the push to the first session');
      expect(pushes).toEqual([{ text: 'for the first' }]);
    });

    it('leaves a server found unreachable out of routing until discovery shows it again', async () => {
      cluster = await start(['a', 'b']);
      const { connector, rooms } = cluster;
      const [a, b] = [rooms.a!.server.id, rooms.b!.server.id];
      await kill(rooms.b!);
      await expect(connector.rpcTo(b, 'room.gate.echo', { n: 1 })).rejects.toMatchObject({
        code: 'PIT-500',
        unreachable: true,
      });

      // still listed, but nobody answers there: the router picks only the live server
      const router = connector.container.get(TOKENS.Router);
      expect(connector.container.get(TOKENS.ServiceDiscovery).getServer(b)).toBeDefined();
      const picks = new Set<string>();
      for (let i = 0; i < 40; i++)
        picks.add((await router.route('room', 'room.gate.echo', undefined, new Uint8Array())).id);
      expect([...picks]).toEqual([a]);
      for (let i = 0; i < 10; i++) await expect(connector.rpc('room.gate.echo', { i })).resolves.toEqual({ i });
      expect(seen.filter((s) => s.startsWith(b))).toEqual([]);

      // the server publishes itself again (restarted, or back on the bus): routable again
      await rooms.b!.container.get(TOKENS.ServiceDiscovery).updateMetadata!({ back: 'yes' });
      await waitFor(
        async () => (await router.route('room', 'room.gate.echo', undefined, new Uint8Array())).id === b,
        10_000,
        'the server to be routable again',
      );
    });

    it('fails the calls in flight to a server found unreachable at once, and sends them nowhere else', async () => {
      cluster = await start(['a', 'b'], requestTimeout('15s'));
      const { connector, rooms } = cluster;
      const b = rooms.b!.server.id;
      cluster.pin('room.gate.hold', b);
      const inFlight = connector.rpc('room.gate.hold', {}).catch((e: unknown) => e);
      await waitFor(() => seen.includes(`${b} hold`), 10_000, 'the call to arrive');
      await kill(rooms.b!);
      // the next call finds nobody there: the one in flight will never be answered
      await expect(connector.rpcTo(b, 'room.gate.echo', {})).rejects.toMatchObject({ unreachable: true });

      // an error, not a timeout after 15 s, and not a retry: it may have been handled there
      const error = await inFlight;
      expect(error).toMatchObject({ code: 'PIT-500', unreachable: false, metadata: { server: b } });
      expect(seen).toEqual([`${b} hold`]);
    }, 30_000);

    it('finds out that a server holding calls died, though no other call goes there', async () => {
      cluster = await start(['a', 'b'], requestTimeout('15s'));
      const { connector, rooms } = cluster;
      const b = rooms.b!.server.id;
      const inFlight = connector.rpcTo(b, 'room.gate.hold', {}).catch((e: unknown) => e);
      await waitFor(() => seen.includes(`${b} hold`), 10_000, 'the call to arrive');
      await kill(rooms.b!);
      // probed (pitaya.cluster.rpc.client.unreachable.probe): an error long before the 15 s timeout
      await expect(inFlight).resolves.toMatchObject({ code: 'PIT-500', metadata: { server: b } });
      expect(connector.container.get(TOKENS.UnreachableServers).has(b)).toBe(true);
    }, 30_000);

    it('fails the calls in flight to a server that leaves discovery, and sends them nowhere else', async () => {
      cluster = await start(['a', 'b'], requestTimeout('15s'));
      const { connector, rooms } = cluster;
      const b = rooms.b!.server.id;
      cluster.pin('room.gate.hold', b);
      const inFlight = connector.rpc('room.gate.hold', {}).catch((e: unknown) => e);
      await waitFor(() => seen.includes(`${b} hold`), 10_000, 'the call to arrive');
      await rooms.b!.container.get(TOKENS.ServiceDiscovery).stop();

      const error = await inFlight;
      expect(error).toMatchObject({ code: 'PIT-500', unreachable: false, metadata: { server: b } });
      expect(seen).toEqual([`${b} hold`]);
    }, 30_000);

    it('names the innermost server when a nested call times out', async () => {
      cluster = await start(['a', 'b']);
      const [a, b] = [cluster.rooms.a!.server.id, cluster.rooms.b!.server.id];
      cluster.pin('room.relay.ask', a);
      const client = await cluster.client();
      // connector -> a (handler) -> b (remote that never answers); the connector's deadline is 2 s
      const error = await client
        .request('room.relay.ask', { target: b, route: 'room.gate.hold' }, { timeout: 15_000 })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: 'PIT-408',
        metadata: { route: 'room.gate.hold', server: b, 'peer.id': a },
      });
    });

    it('does not take a nested call that found its server unreachable for a message not handled', async () => {
      cluster = await start(['a', 'b', 'c']);
      const { rooms } = cluster;
      const [a, c] = [rooms.a!.server.id, rooms.c!.server.id];
      cluster.pin('room.relay.ask', a);
      await kill(rooms.c!);
      const client = await cluster.client();
      // a ran the handler; its own call to c failed: the message must not run again elsewhere
      await expect(client.request('room.relay.ask', { target: c, route: 'room.gate.echo' })).rejects.toMatchObject({
        code: 'PIT-500',
      });
      expect(seen).toEqual([`${a} ask`]);
    });
  });
}
