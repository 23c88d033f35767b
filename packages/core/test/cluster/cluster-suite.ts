import 'reflect-metadata';
import type { ContainerModule } from 'inversify';
import { PitayaError } from '@pitaya-ts/client';
import { waitFor } from '@pitaya-ts/testing';
import { TOKENS } from '@pitaya-ts/core';
import { held, RoomHandler, startCluster, type TestCluster } from './fixtures';

/**
 * What a cluster does, whatever carries it: run with the in-memory providers and with the real
 * ones (NATS and etcd) alike.
 */
export interface ClusterSuiteSetup {
  beforeAll?: () => Promise<void>;
  afterAll?: () => Promise<void>;
  /** Configuration every server gets (read after beforeAll: it may name the servers started there). */
  config?: () => Record<string, unknown>;
  /** The transport keeps the order of calls (`RpcClient.ordered`): a session's forwards are pipelined. */
  pipelined?: boolean;
  /**
   * Bind announcements go to one frontend, the one the binding storage names, without the bind's
   * time (gRPC): the frontend told always gives way.
   */
  untimedBinds?: boolean;
}

export function clusterSuite(title: string, providers: () => ContainerModule[], setup: ClusterSuiteSetup = {}) {
  // uids travel in NATS subjects: no spaces
  const name = title.replace(/[^A-Za-z0-9]+/g, '-');
  describe(`cluster behaviour: ${title}`, () => {
    let cluster: TestCluster;

    beforeAll(async () => {
      await setup.beforeAll?.();
      cluster = await startCluster(providers, {
        connectors: 2,
        rooms: 1,
        // Pitaya's default: a worker of a loaded machine may stall a second or two, which a
        // shorter deadline would take for a timeout of a request already answered
        config: { ...setup.config?.(), 'pitaya.cluster.rpc.client.nats.requesttimeout': '5s' },
      });
    }, 30_000);

    afterAll(async () => {
      await cluster?.stop();
      await setup.afterAll?.();
    }, 30_000);

    it('forwards a request to the backend and answers with its result and the original id', async () => {
      const client = await cluster.client();
      const [a, b] = await Promise.all([
        client.request('room.room.whoami', {}),
        client.request('room.room.whoami', {}),
      ]);
      expect(a).toEqual({ uid: null, frontend: false, data: {}, peer: 'connector' });
      expect(b).toEqual(a);
    });

    it('brings backend errors to the client with their code and metadata', async () => {
      const client = await cluster.client();
      const error = await client.request('room.room.fail', {}).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PitayaError);
      expect(error).toMatchObject({ code: 'PIT-555', msg: 'room is full', metadata: { room: 'lobby' } });
      await expect(client.request('room.room.nothing', {})).rejects.toMatchObject({ code: 'PIT-404' });
      await expect(client.request('nobody.room.x', {})).rejects.toMatchObject({ code: 'PIT-500' });
    });

    it('runs a forwarded notify on the backend', async () => {
      const client = await cluster.client();
      client.notify('room.room.note', { text: `note-${name}` });
      await waitFor(() => RoomHandler.notified.includes(`note-${name}`));
    });

    it('sends the session as the frontend holds it, and binds from the backend on the frontend', async () => {
      const client = await cluster.client();
      const frontendBinds: string[] = [];
      cluster.connectors[0]!.sessions.onAfterSessionBind((s) => void frontendBinds.push(s.uid!));
      await client.request('connector.entry.login', { uid: `ana-${name}` });
      await expect(client.request('room.room.whoami', {})).resolves.toMatchObject({ uid: `ana-${name}` });

      const other = await cluster.client();
      await expect(other.request('room.room.bind', { uid: `bo-${name}` })).resolves.toEqual({ uid: `bo-${name}` });
      expect(cluster.connectors[0]!.sessions.getByUid(`bo-${name}`)).toBeDefined();
      expect(frontendBinds).toContain(`bo-${name}`);
      await expect(other.request('room.room.bind', { uid: 'again' })).rejects.toMatchObject({ code: 'PIT-400' });
    });

    it('pushes session data from the backend to the frontend, value types kept', async () => {
      const client = await cluster.client();
      await client.request('connector.entry.login', { uid: `cy-${name}` });
      await client.request('room.room.save', { level: 3, vip: true, tags: ['a'], nested: { x: 1.5 } });
      const session = cluster.connectors[0]!.sessions.getByUid(`cy-${name}`)!;
      expect(session.data()).toEqual({ level: 3, vip: true, tags: ['a'], nested: { x: 1.5 } });
      await expect(client.request('room.room.whoami', {})).resolves.toMatchObject({ data: session.data() });
    });

    it('pushes to a user and broadcasts to a group across frontends', async () => {
      const a = await cluster.client(0);
      const b = await cluster.client(1);
      await a.request('connector.entry.login', { uid: `da-${name}` });
      await b.request('connector.entry.login', { uid: `db-${name}` });
      const pushed = new Promise((resolve) => b.on('onPush', resolve));
      await b.request('room.room.pushme', { text: 'to you' });
      await expect(pushed).resolves.toEqual({ text: 'to you' });

      await a.request('room.room.join', {});
      const joined = new Promise((resolve) => a.on('onJoin', resolve));
      await b.request('room.room.join', {});
      await expect(joined).resolves.toEqual({ uid: `db-${name}` });
    });

    it('kicks from the backend and by uid from any server', async () => {
      const a = await cluster.client(1);
      await a.request('connector.entry.login', { uid: `ea-${name}` });
      const kicked = new Promise((resolve) => a.events.once('kick', () => resolve(true)));
      await a.request('room.room.kickme', {}).catch(() => undefined);
      await expect(kicked).resolves.toBe(true);

      const b = await cluster.client(1);
      await b.request('connector.entry.login', { uid: `eb-${name}` });
      const kickedToo = new Promise((resolve) => b.events.once('kick', () => resolve(true)));
      await expect(cluster.rooms[0]!.kickUsers([`eb-${name}`], undefined, 'connector')).resolves.toEqual([]);
      await expect(kickedToo).resolves.toBe(true);
    });

    it('keeps one session per uid across frontends', async () => {
      const first = await cluster.client(0);
      await first.request('connector.entry.login', { uid: `fa-${name}` });
      const kicked = new Promise((resolve) => first.events.once('kick', () => resolve(true)));
      const second = await cluster.client(1);
      await second.request('connector.entry.login', { uid: `fa-${name}` });
      await expect(kicked).resolves.toBe(true);
      await waitFor(() => cluster.connectors[0]!.sessions.getByUid(`fa-${name}`) === undefined);
      expect(cluster.connectors[1]!.sessions.getByUid(`fa-${name}`)).toBeDefined();
    });

    it('keeps the newer session of a uid when bind announcements arrive late', async () => {
      const [older, untimed, newer] = [`fo-${name}`, `fu-${name}`, `fn-${name}`];
      for (const uid of [older, untimed, newer]) {
        const client = await cluster.client(1);
        await client.request('connector.entry.login', { uid });
      }
      const here = cluster.connectors[1]!.sessions;
      const boundAt = (uid: string) => here.getByUid(uid)!.boundAt!;
      const announcedAgain = jest.spyOn(cluster.connectors[1]!.container.get(TOKENS.RpcClient), 'announceBind');
      const elsewhere = cluster.connectors[0]!;
      const announce = (uid: string, at: number | undefined) =>
        elsewhere.container
          .get(TOKENS.RpcClient)
          .announceBind('connector', { uid, fid: elsewhere.server.id, ...(at === undefined ? {} : { boundAt: at }) });
      // a bind on the other frontend made before this one took the uid, announced only now
      await announce(older, boundAt(older) - 1);
      // one without a time (as Go Pitaya sends them): it wins, as in Pitaya
      await announce(untimed, undefined);
      // and one made after: it wins; once it has been handled, so have the others (in order)
      await announce(newer, boundAt(newer) + 1);
      await waitFor(() => here.getByUid(newer) === undefined);
      expect(here.getByUid(untimed)).toBeUndefined();
      if (setup.untimedBinds) {
        expect(here.getByUid(older)).toBeUndefined();
        expect(announcedAgain).not.toHaveBeenCalled();
      } else {
        expect(here.getByUid(older)).toBeDefined();
        // the session kept is announced again, for a frontend that may not have heard of it
        const again = { uid: older, fid: cluster.connectors[1]!.server.id, boundAt: boundAt(older) };
        expect(announcedAgain.mock.calls).toEqual([['connector', again]]);
      }
      announcedAgain.mockRestore();
    });

    it('reaches a user whose bind could not be announced', async () => {
      const uid = `fx-${name}`;
      const frontend = cluster.connectors[1]!.container.get(TOKENS.RpcClient);
      const failing = jest.spyOn(frontend, 'announceBind').mockRejectedValueOnce(new Error('the broker is away'));
      const client = await cluster.client(1);
      await client.request('connector.entry.login', { uid });
      expect(failing).toHaveBeenCalledTimes(1);
      failing.mockRestore();
      const pushed = new Promise((resolve) => client.on('onNews', resolve));
      await expect(cluster.rooms[0]!.pushToUsers('onNews', { n: 7 }, [uid], 'connector')).resolves.toEqual([]);
      await expect(pushed).resolves.toEqual({ n: 7 });
    });

    it("stamps a bind after every bind announced to it, whatever the announcer's clock says", async () => {
      const [uid, marker] = [`fc-${name}`, `fm-${name}`];
      const here = cluster.connectors[1]!.sessions;
      await (await cluster.client(1)).request('connector.entry.login', { uid: marker });
      const elsewhere = cluster.connectors[0]!;
      const announce = (bind: { uid: string; boundAt: number }) =>
        elsewhere.container.get(TOKENS.RpcClient).announceBind('connector', { ...bind, fid: elsewhere.server.id });
      // a frontend whose clock runs a minute ahead announces a bind (its session since gone)...
      const ahead = Date.now() + 60_000;
      await announce({ uid, boundAt: ahead });
      // ...then one that kicks a session here: once it has, the first has been heard (in order)
      await announce({ uid: marker, boundAt: ahead + 1 });
      await waitFor(() => here.getByUid(marker) === undefined);
      await (await cluster.client(1)).request('connector.entry.login', { uid });
      const stamped = here.getByUid(uid)!.boundAt!;
      // gRPC tells only the frontend the storage names (none held this uid), and with no time
      if (setup.untimedBinds) expect(stamped).toBeLessThan(ahead);
      else expect(stamped).toBeGreaterThan(ahead + 1);
    });

    it('makes user RPCs with metadata, remote errors and timeouts', async () => {
      const connector = cluster.connectors[0]!;
      await expect(connector.rpc('room.roomRemote.echo', { n: 1 }, { metadata: { custom: 'yes' } })).resolves.toEqual({
        n: 2,
        from: 'connector',
        custom: 'yes',
      });
      await expect(connector.rpcTo('room-0', 'room.roomRemote.echo', { n: 5 })).resolves.toMatchObject({ n: 6 });
      await expect(connector.rpc('room.roomRemote.fail', {})).rejects.toMatchObject({
        code: 'PIT-556',
        message: 'remote says no',
        metadata: { why: 'test' },
      });
      // a frontend serves Pitaya's three sys remotes and nothing else of its internals
      await expect(cluster.rooms[0]!.rpcTo('connector-0', 'sys.session', {})).rejects.toMatchObject({
        code: 'PIT-404',
      });
      // the room server's own type: the call stays in its process
      await expect(cluster.rooms[0]!.rpc('room.roomRemote.echo', { n: 9 })).resolves.toMatchObject({
        n: 10,
        from: undefined,
      });
    });

    it("handles a session's messages in the order sent, each seeing the session as the earlier ones left it", async () => {
      const client = await cluster.client();
      await client.request('connector.entry.login', { uid: `ga-${name}` });
      // sent at once, not waiting for answers: forwards to the room, and every fifth one a frontend handler
      const answers = Array.from({ length: 20 }, (_, i) =>
        i % 5 === 4 ? client.request('connector.entry.seen', {}) : client.request('room.room.append', { n: i }),
      );
      const results = (await Promise.all(answers)) as { seen: number[] }[];
      const appended = (upTo: number) => Array.from({ length: upTo + 1 }, (_, i) => i).filter((i) => i % 5 !== 4);
      results.forEach((result, i) => expect(result.seen).toEqual(appended(i)));
    });

    if (setup.pipelined) {
      it("sends a session's forwards to the server that handles them without waiting for each answer", async () => {
        const client = await cluster.client();
        const dispatcher = cluster.connectors[0]!.container.get(TOKENS.Dispatcher);
        const first = client.request('room.room.held', {});
        const rest = [1, 2, 3].map((n) => client.request('room.room.append', { n }));
        // each on its way, in the session's one dispatch slot, while the first is still held on the room
        await waitFor(() => dispatcher.runningJobs === 4 && held.count === 1);
        expect(dispatcher.running).toBe(1);
        const local = client.request('connector.entry.seen', {});
        held.release();
        await expect(first).resolves.toEqual({ released: true });
        await expect(Promise.all(rest)).resolves.toEqual([{ seen: [1] }, { seen: [1, 2] }, { seen: [1, 2, 3] }]);
        // the frontend handler waited for the forwards before it
        await expect(local).resolves.toEqual({ seen: [1, 2, 3] });
      });
    }

    it('times out a slow forwarded request with PIT-408 and Pitaya metadata', async () => {
      const client = await cluster.client();
      const slow = await client.request('room.room.held', {}, { timeout: 10_000 }).catch((e: unknown) => e);
      expect(slow).toMatchObject({
        code: 'PIT-408',
        metadata: { timeout: '5s', route: 'room.room.held', server: 'room-0', 'peer.id': 'connector-0' },
      });
      // answered while the handler is still held: by the timeout
      expect(held.count).toBe(1);
      held.release();
      // the connection and the backend are fine afterwards
      await expect(client.request('room.room.slow', { ms: 1 })).resolves.toEqual({ slept: 1 });
    }, 15_000);
  });
}
