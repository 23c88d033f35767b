import type { GroupService, UserMessenger } from '@pitaya-ts/core';
import { waitFor } from '@pitaya-ts/testing';

export interface GroupHarness {
  /** A group service of one server, pushing through `messenger`; started by the suite. */
  create(messenger: UserMessenger): GroupService;
  /** Whether two services (two servers) see the same groups. */
  shared: boolean;
}

/** Pushes recorded instead of sent; the uids in `unreachable` are reported as not reached. */
function recordingMessenger(unreachable: string[] = []) {
  const pushes: { route: string; body: unknown; uids: string[] }[] = [];
  const messenger: UserMessenger = {
    pushToUsers: async (route, body, uids) => {
      pushes.push({ route, body, uids: [...uids].sort() });
      return uids.filter((uid) => unreachable.includes(uid));
    },
    kickUsers: async () => [],
  };
  return { messenger, pushes };
}

let run = 0;

/** What every GroupService must do: the in-memory one and the etcd one run it alike. */
export function groupContract(name: string, harness: () => GroupHarness) {
  describe(`GroupService contract: ${name}`, () => {
    const started: GroupService[] = [];
    // names no other test or run uses: etcd keeps groups between tests
    const group = (what: string) => `${what}-${process.pid}-${++run}`;
    const start = async (messenger = recordingMessenger().messenger) => {
      const groups = harness().create(messenger);
      await groups.start?.();
      started.push(groups);
      return groups;
    };

    afterEach(async () => {
      for (const groups of started.splice(0)) await groups.stop?.();
    });

    it('creates a group once; a second create is refused with PIT-400', async () => {
      const groups = await start();
      const name = group('create');
      await expect(groups.exists(name)).resolves.toBe(false);
      await groups.create(name);
      await expect(groups.exists(name)).resolves.toBe(true);
      await expect(groups.count(name)).resolves.toBe(0);
      await expect(groups.create(name)).rejects.toMatchObject({ code: 'PIT-400', metadata: { group: name } });
    });

    it('adds, lists, counts and removes members, refusing twice the same with PIT-400 and PIT-404', async () => {
      const groups = await start();
      const name = group('members');
      await groups.create(name);
      await groups.addMember(name, 'u1');
      await groups.addMember(name, 'u2');
      await expect(groups.addMember(name, 'u1')).rejects.toMatchObject({ code: 'PIT-400', metadata: { uid: 'u1' } });
      await expect(groups.contains(name, 'u1')).resolves.toBe(true);
      await expect(groups.contains(name, 'u3')).resolves.toBe(false);
      expect((await groups.members(name)).sort()).toEqual(['u1', 'u2']);
      await expect(groups.count(name)).resolves.toBe(2);

      await groups.removeMember(name, 'u1');
      await expect(groups.removeMember(name, 'u1')).rejects.toMatchObject({ code: 'PIT-404', metadata: { uid: 'u1' } });
      await expect(groups.members(name)).resolves.toEqual(['u2']);
      await expect(groups.count(name)).resolves.toBe(1);
    });

    it('answers PIT-404 for every operation on a group that does not exist', async () => {
      const groups = await start();
      const name = group('missing');
      const notFound = { code: 'PIT-404', metadata: { group: name } };
      await expect(groups.addMember(name, 'u1')).rejects.toMatchObject(notFound);
      await expect(groups.removeMember(name, 'u1')).rejects.toMatchObject(notFound);
      await expect(groups.contains(name, 'u1')).rejects.toMatchObject(notFound);
      await expect(groups.members(name)).rejects.toMatchObject(notFound);
      await expect(groups.count(name)).rejects.toMatchObject(notFound);
      await expect(groups.broadcast(name, 'onX', {})).rejects.toMatchObject(notFound);
      await expect(groups.delete(name)).rejects.toMatchObject(notFound);
    });

    it('removes a user from every group at once', async () => {
      const groups = await start();
      const [a, b] = [group('all-a'), group('all-b')];
      await groups.create(a);
      await groups.create(b);
      for (const name of [a, b]) {
        await groups.addMember(name, 'gone');
        await groups.addMember(name, 'stays');
      }
      await groups.removeMemberFromAll('gone');
      await expect(groups.members(a)).resolves.toEqual(['stays']);
      await expect(groups.members(b)).resolves.toEqual(['stays']);
    });

    it('deletes a group with its members; created again, it is empty', async () => {
      const groups = await start();
      const name = group('delete');
      await groups.create(name);
      await groups.addMember(name, 'u1');
      await groups.delete(name);
      await expect(groups.exists(name)).resolves.toBe(false);
      await groups.create(name);
      await expect(groups.members(name)).resolves.toEqual([]);
    });

    it('deletes a group with a TTL once it has passed', async () => {
      const groups = await start();
      const [short, lasting] = [group('ttl'), group('no-ttl')];
      await groups.create(short, 1000);
      await groups.addMember(short, 'u1');
      await groups.create(lasting);
      await waitFor(async () => !(await groups.exists(short)), 20_000, 'the group to expire');
      await expect(groups.members(short)).rejects.toMatchObject({ code: 'PIT-404' });
      await expect(groups.exists(lasting)).resolves.toBe(true);
    }, 30_000);

    it('broadcasts to the members but those excluded, and reports those not reached', async () => {
      const { messenger, pushes } = recordingMessenger(['u3']);
      const groups = await start(messenger);
      const name = group('broadcast');
      await groups.create(name);
      for (const uid of ['u1', 'u2', 'u3']) await groups.addMember(name, uid);
      await expect(groups.broadcast(name, 'onChat', { text: 'hi' }, { exclude: ['u2'] })).resolves.toEqual(['u3']);
      expect(pushes).toEqual([{ route: 'onChat', body: { text: 'hi' }, uids: ['u1', 'u3'] }]);
    });

    it('shows every server the same groups, when the service is shared', async () => {
      if (!harness().shared) return;
      const [one, other] = [await start(), await start()];
      const name = group('shared');
      await one.create(name);
      await other.addMember(name, 'u1');
      await expect(one.members(name)).resolves.toEqual(['u1']);
      await expect(other.create(name)).rejects.toMatchObject({ code: 'PIT-400' });
      await other.delete(name);
      await expect(one.exists(name)).resolves.toBe(false);
    });
  });
}
