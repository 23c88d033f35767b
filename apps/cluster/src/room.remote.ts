import { inject } from 'inversify';
import { Proto, Remote } from '@pitaya-ts/core';
import { Rooms } from './rooms';

export const STATS_ROUTE = 'room.roomRemote.stats';
export const STATS_TYPES = { request: 'cluster.StatsRequest', response: 'cluster.StatsResponse' };
export const LEAVE_ROUTE = 'room.roomRemote.leave';
export const LEAVE_TYPES = { request: 'cluster.LeaveRequest', response: 'cluster.LeaveResponse' };
export const GRANT_BADGE_ROUTE = 'room.roomRemote.grantBadge';
export const GRANT_BADGE_TYPES = { request: 'cluster.GrantBadgeRequest', response: 'cluster.GrantBadgeResponse' };

/** `room.roomRemote.*`: what servers ask a room server (protobuf, as Pitaya's remotes). */
@Remote()
export class RoomRemote {
  constructor(@inject(Rooms) private readonly rooms: Rooms) {}

  @Proto(STATS_TYPES.request, STATS_TYPES.response)
  async stats(): Promise<{ rooms: number; members: number }> {
    return this.rooms.stats();
  }

  /** A connector tells the room server that a member disconnected. */
  @Proto(LEAVE_TYPES.request, LEAVE_TYPES.response)
  async leave(arg: { uid: string; room: string }): Promise<{ left: boolean }> {
    return { left: await this.rooms.leave(arg.room, arg.uid) };
  }

  /** Run by a worker, for a reliable RPC a connector enqueued: idempotent, as a job may run twice. */
  @Proto(GRANT_BADGE_TYPES.request, GRANT_BADGE_TYPES.response)
  async grantBadge(arg: { userId: string; room: string; badge: string }): Promise<{ granted: boolean }> {
    return { granted: await this.rooms.grantBadge(arg.room, arg.userId, arg.badge) };
  }
}
