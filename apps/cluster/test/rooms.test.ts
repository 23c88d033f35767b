import 'reflect-metadata';
import { type UserMessenger } from '@pitaya-ts/core';
import { MemoryGroupService } from '@pitaya-ts/core/provider';
import { Rooms } from '../src/rooms';

// members are pushed to through the messenger: every push reaches its user here
const messenger = { pushToUsers: async () => [], kickUsers: async () => [] } as unknown as UserMessenger;

describe('rooms of a room server', () => {
  it('lets the first joins of a new room come at the same time', async () => {
    const rooms = new Rooms(new MemoryGroupService(messenger, 60_000));
    const joins = await Promise.all(['ana', 'bo', 'cy'].map((uid) => rooms.join('new-room', uid)));
    expect(joins.at(-1)).toEqual(['ana', 'bo', 'cy']);
    await expect(rooms.stats()).resolves.toEqual({ rooms: 1, members: 3 });
  });

  it('grants a badge once, however often a job asks: the room hears it once', async () => {
    const groups = new MemoryGroupService(messenger, 60_000);
    const broadcast = jest.spyOn(groups, 'broadcast');
    const rooms = new Rooms(groups);
    await rooms.join('hall', 'ana');
    broadcast.mockClear();
    await expect(rooms.grantBadge('hall', 'ana', 'gold')).resolves.toBe(true);
    await expect(rooms.grantBadge('hall', 'ana', 'gold')).resolves.toBe(false);
    expect(broadcast.mock.calls).toEqual([['hall', 'onBadge', { name: 'ana', badge: 'gold' }]]);
  });

  it('still reports a group that cannot be created', async () => {
    const groups = new MemoryGroupService(messenger, 60_000);
    const refused = new Error('no more groups');
    jest.spyOn(groups, 'create').mockRejectedValueOnce(refused);
    const rooms = new Rooms(groups);
    await expect(rooms.join('full', 'ana')).rejects.toBe(refused);
    // not counted as open: the next join creates it
    await expect(rooms.join('full', 'ana')).resolves.toEqual(['ana']);
  });
});
