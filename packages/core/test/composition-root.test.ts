import 'reflect-metadata';
import { TOKENS, type SessionPool } from '@pitaya-ts/core';
import {
  MemoryCluster,
  MemorySessionPool,
  RpcType,
  type Forwarder,
  type RpcHandler,
  type RpcRequest,
} from '@pitaya-ts/core/provider';
import { Harness, waitFor } from './helpers';

const harness = new Harness();
afterEach(() => harness.cleanup());

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

describe("the server's parts come from its container", () => {
  it('a rebound forwarder carries the client messages for other server types', async () => {
    const forwarded: string[] = [];
    const forwarder: Forwarder = async (route, type, session) => {
      forwarded.push(`${type} ${route.full} session ${session.id}`);
      return json({ via: 'rebound forwarder' });
    };
    const app = await harness.server({
      beforeStart: (a) => void a.container.rebind(TOKENS.Forwarder).toConstantValue(forwarder),
    });
    const client = await harness.client(app);
    await expect(client.request('room.lobby.join', {})).resolves.toEqual({ via: 'rebound forwarder' });
    expect(forwarded).toEqual([expect.stringMatching(/^request room\.lobby\.join session \d+$/)]);
  });

  it('a rebound cluster request handler gets what the cluster sends this server', async () => {
    const cluster = new MemoryCluster();
    const received: string[] = [];
    const handler: RpcHandler = {
      handle: async (request: RpcRequest) => {
        received.push(`${request.type === RpcType.Sys ? 'sys' : 'user'} ${request.msg.route}`);
        return { data: json({ via: 'rebound handler' }) };
      },
      pushToUser: () => undefined,
      kickUser: () => undefined,
      bindAnnounced: () => undefined,
    };
    const room = await harness.server({
      serverType: 'room',
      acceptors: [],
      providers: [cluster.providers()],
      beforeStart: (a) => void a.container.rebind(TOKENS.ClusterRequestHandler).toConstantValue(handler),
    });
    const connector = await harness.server({ serverType: 'connector', providers: [cluster.providers()] });
    const discovery = connector.container.get(TOKENS.ServiceDiscovery);
    await waitFor(() => discovery.getServer(room.server.id) !== undefined, 'the connector sees the room server');

    await expect(connector.rpc('room.stats.get', {})).resolves.toEqual({ via: 'rebound handler' });
    const client = await harness.client(connector);
    await expect(client.request('room.lobby.join', {})).resolves.toEqual({ via: 'rebound handler' });
    expect(received).toEqual(['user room.stats.get', 'sys room.lobby.join']);
  });

  it("a rebound application pool is a view of the sessions: the framework's lifecycle stays the default", async () => {
    const lookups: string[] = [];
    const app = await harness.server({
      beforeStart: (a) => {
        const sessions = a.container.get(MemorySessionPool);
        // the application's API only: nothing of how sessions are made, bound or closed
        const view: SessionPool = {
          get: (id) => (lookups.push(`get ${id}`), sessions.get(id)),
          getByUid: (uid) => (lookups.push(`getByUid ${uid}`), sessions.getByUid(uid)),
          get count() {
            return sessions.count;
          },
          get boundCount() {
            return sessions.boundCount;
          },
          sessions: () => sessions.sessions(),
          onSessionBind: (callback) => sessions.onSessionBind(callback),
          onAfterSessionBind: (callback) => sessions.onAfterSessionBind(callback),
          onSessionClose: (callback) => sessions.onSessionClose(callback),
        };
        a.container.rebind(TOKENS.SessionPool).toConstantValue(view);
      },
    });
    const closed: number[] = [];
    app.sessions.onSessionClose((session) => void closed.push(session.id));
    const client = await harness.client(app);
    await waitFor(() => app.sessions.count === 1, 'the session is made');
    const [session] = [...app.sessions.sessions()];
    expect(app.sessions.get(session!.id)).toBe(session);
    await client.close();
    await waitFor(() => closed.length === 1, "the view's close callback runs");
    expect(app.sessions.count).toBe(0);
    expect(lookups).toEqual([`get ${session!.id}`]);
  });
});
