import 'reflect-metadata';
import { inject } from 'inversify';
import type { PitayaClient } from '@pitaya-ts/client';
import { Handler, TOKENS, type GroupService, type HandlerContext, type UserMessenger } from '@pitaya-ts/core';
import { MemoryGroupService } from '@pitaya-ts/core/provider';
import { Harness, waitFor } from './helpers';

class FakeMessenger implements UserMessenger {
  readonly pushes: { route: string; body: unknown; uids: string[] }[] = [];
  offline = new Set<string>();

  async pushToUsers(route: string, body: unknown, uids: string[]): Promise<string[]> {
    this.pushes.push({ route, body, uids });
    return uids.filter((uid) => this.offline.has(uid));
  }

  async kickUsers(): Promise<string[]> {
    return [];
  }
}

describe('MemoryGroupService', () => {
  let clock: number;
  let messenger: FakeMessenger;
  let groups: MemoryGroupService;

  beforeEach(() => {
    clock = 1000;
    messenger = new FakeMessenger();
    groups = new MemoryGroupService(messenger, 30_000, () => clock);
  });

  it('creates groups, adds, lists, counts and removes members', async () => {
    await groups.create('g');
    expect(await groups.exists('g')).toBe(true);
    expect(await groups.exists('other')).toBe(false);
    await groups.addMember('g', 'ana');
    await groups.addMember('g', 'bo');
    expect(await groups.members('g')).toEqual(['ana', 'bo']);
    expect(await groups.count('g')).toBe(2);
    expect(await groups.contains('g', 'ana')).toBe(true);
    expect(await groups.contains('g', 'cy')).toBe(false);
    await groups.removeMember('g', 'ana');
    expect(await groups.members('g')).toEqual(['bo']);
    await groups.delete('g');
    expect(await groups.exists('g')).toBe(false);
  });

  it('refuses duplicates', async () => {
    await groups.create('g');
    await expect(groups.create('g')).rejects.toMatchObject({ code: 'PIT-400', metadata: { group: 'g' } });
    await groups.addMember('g', 'ana');
    await expect(groups.addMember('g', 'ana')).rejects.toMatchObject({ code: 'PIT-400' });
    expect(await groups.count('g')).toBe(1);
  });

  it('answers PIT-404 for an unknown group or member', async () => {
    const missing = { code: 'PIT-404', metadata: { group: 'nope' } };
    await expect(groups.addMember('nope', 'ana')).rejects.toMatchObject(missing);
    await expect(groups.removeMember('nope', 'ana')).rejects.toMatchObject(missing);
    await expect(groups.contains('nope', 'ana')).rejects.toMatchObject(missing);
    await expect(groups.members('nope')).rejects.toMatchObject(missing);
    await expect(groups.count('nope')).rejects.toMatchObject(missing);
    await expect(groups.delete('nope')).rejects.toMatchObject(missing);
    await expect(groups.broadcast('nope', 'r', {})).rejects.toMatchObject(missing);
    await groups.create('g');
    await expect(groups.removeMember('g', 'ana')).rejects.toMatchObject({ code: 'PIT-404', metadata: { uid: 'ana' } });
  });

  it('removes a member from every group', async () => {
    await groups.create('a');
    await groups.create('b');
    for (const g of ['a', 'b']) await groups.addMember(g, 'ana');
    await groups.addMember('b', 'bo');
    await groups.removeMemberFromAll('ana');
    expect(await groups.members('a')).toEqual([]);
    expect(await groups.members('b')).toEqual(['bo']);
  });

  it('deletes groups whose TTL passed since their last change', async () => {
    await groups.create('short', 1000);
    await groups.create('long', 5000);
    await groups.create('forever');
    clock += 500;
    await groups.addMember('short', 'ana'); // a change restarts the TTL
    clock += 999;
    expect(groups.deleteExpired()).toEqual([]);
    clock += 1;
    expect(groups.deleteExpired()).toEqual(['short']);
    expect(await groups.exists('short')).toBe(false);
    clock += 10_000;
    expect(groups.deleteExpired()).toEqual(['long']);
    expect(await groups.exists('forever')).toBe(true);
  });

  it('broadcasts to every member but those excluded, and returns who was not reached', async () => {
    await groups.create('g');
    for (const uid of ['ana', 'bo', 'cy', 'di']) await groups.addMember('g', uid);
    messenger.offline.add('di');
    await expect(groups.broadcast('g', 'onNews', { n: 1 }, { exclude: ['bo'] })).resolves.toEqual(['di']);
    expect(messenger.pushes).toEqual([{ route: 'onNews', body: { n: 1 }, uids: ['ana', 'cy', 'di'] }]);
  });
});

describe('groups through a server', () => {
  const harness = new Harness();
  afterEach(() => harness.cleanup());

  @Handler()
  class LobbyHandler {
    constructor(@inject(TOKENS.GroupService) private readonly groups: GroupService) {}

    async init(): Promise<void> {
      await this.groups.create('lobby');
    }

    async join(body: { uid: string }, { session }: HandlerContext): Promise<string[]> {
      await session.bind(body.uid);
      await this.groups.addMember('lobby', body.uid);
      return this.groups.members('lobby');
    }
  }

  async function joined(uids: string[]) {
    const app = await harness.server({ handlers: [LobbyHandler] });
    const clients: Record<string, PitayaClient> = {};
    for (const uid of uids) {
      clients[uid] = await harness.client(app);
      await clients[uid].request('game.lobby.join', { uid });
    }
    return { app, clients };
  }

  /** Collects the pushes of a route a client receives. */
  function collect(client: PitayaClient, route: string): unknown[] {
    const received: unknown[] = [];
    client.on(route, (body) => received.push(body));
    return received;
  }

  it('reaches every member with identical pushes, except those excluded', async () => {
    const { app, clients } = await joined(['ana', 'bo', 'cy']);
    const inbox = Object.fromEntries(Object.entries(clients).map(([uid, c]) => [uid, collect(c, 'onNews')]));
    // large enough to be compressed on the way
    const body = { seq: 1, text: 'news '.repeat(100), at: new Date(0), nested: { list: [1, 2, 3] } };
    await expect(app.groups.broadcast('lobby', 'onNews', body, { exclude: ['bo'] })).resolves.toEqual([]);
    await expect(app.groups.broadcast('lobby', 'onNews', { seq: 2 })).resolves.toEqual([]);
    await waitFor(() => inbox.ana!.length === 2 && inbox.bo!.length === 1 && inbox.cy!.length === 2);

    const expected = JSON.parse(JSON.stringify(body)) as unknown;
    expect(inbox.ana).toEqual([expected, { seq: 2 }]);
    expect(inbox.cy).toEqual(inbox.ana);
    // the excluded member's first push is the second broadcast
    expect(inbox.bo).toEqual([{ seq: 2 }]);
  });

  it('returns the members that are not connected', async () => {
    const { app, clients } = await joined(['ana', 'bo']);
    await app.groups.addMember('lobby', 'ghost');
    await clients.bo!.close();
    await waitFor(() => app.sessions.getByUid('bo') === undefined);
    const inbox = collect(clients.ana!, 'onNews');
    await expect(app.groups.broadcast('lobby', 'onNews', { n: 1 })).resolves.toEqual(['bo', 'ghost']);
    await waitFor(() => inbox.length === 1);
  });

  it('deletes expired groups on the tick of pitaya.groups.memory.tickduration', async () => {
    const app = await harness.server({ config: { 'pitaya.groups.memory.tickduration': '20ms' } });
    await app.groups.create('brief', 10);
    await app.groups.create('lasting');
    await waitFor(async () => !(await app.groups.exists('brief')), 'the group to expire');
    expect(await app.groups.exists('lasting')).toBe(true);
  });
});
