import { inject, injectable } from 'inversify';
import { PitayaError, TOKENS, type GroupService, type Session } from '@pitaya-ts/core';

export const DEFAULT_ROOM = 'lobby';

/** The rooms of one room server: a group each; pushes reach members through their connector. */
@injectable()
export class Rooms {
  /** Rooms opened here: groups can be asked about by name, not listed. */
  private readonly open = new Set<string>();
  /** Badges granted, as `[room, uid, badge]` JSON. */
  private readonly badges = new Set<string>();

  constructor(@inject(TOKENS.GroupService) private readonly groups: GroupService) {}

  async join(room: string, uid: string): Promise<string[]> {
    if (!this.open.has(room)) await this.openRoom(room);
    if (!(await this.groups.contains(room, uid))) {
      // member first, then the news: two joining at once still hear of each other
      await this.groups.addMember(room, uid);
      await this.groups.broadcast(room, 'onJoin', { name: uid }, { exclude: [uid] });
    }
    return this.groups.members(room);
  }

  /** Creates the room's group, unless a join that came at the same time just did. */
  private async openRoom(room: string): Promise<void> {
    try {
      await this.groups.create(room);
    } catch (err) {
      // two first joins of a room race (many at once when its room server changed): one creates it
      if (!(await this.groups.exists(room))) throw err;
    }
    this.open.add(room);
  }

  async leave(room: string, uid: string): Promise<boolean> {
    if (!this.open.has(room) || !(await this.groups.contains(room, uid))) return false;
    await this.groups.removeMember(room, uid);
    await this.groups.broadcast(room, 'onLeave', { name: uid });
    return true;
  }

  async send(room: string | undefined, from: string, text: string): Promise<void> {
    if (room === undefined || !this.open.has(room) || !(await this.groups.contains(room, from))) {
      throw PitayaError.badRequest('join a room before sending');
    }
    await this.groups.broadcast(room, 'onMessage', { from, text });
  }

  /**
   * Grants a member a badge in a room and tells the room, once: a job run again (a retry, a worker
   * restarted mid-job) changes nothing. Resolves whether this call granted it.
   */
  async grantBadge(room: string, uid: string, badge: string): Promise<boolean> {
    const key = JSON.stringify([room, uid, badge]);
    if (this.badges.has(key)) return false;
    // told before it is recorded: a broadcast that fails fails the job, whose retry tells again
    if (this.open.has(room)) await this.groups.broadcast(room, 'onBadge', { name: uid, badge });
    this.badges.add(key);
    return true;
  }

  /** Rooms with members on this server, and their members. */
  async stats(): Promise<{ rooms: number; members: number }> {
    let rooms = 0;
    let members = 0;
    for (const room of this.open) {
      const count = await this.groups.count(room);
      if (count > 0) rooms++;
      members += count;
    }
    return { rooms, members };
  }
}

/** The room a session joined: kept in its data, which the connector's router reads. */
export function roomOf(session: Session | undefined): string | undefined {
  return session?.get<string>('room');
}
