import { inject } from 'inversify';
import { Remote, TOKENS, type GroupService } from '@pitaya-ts/core';

/**
 * `game.roomRemote.*`: what other servers ask this one (`app.rpc('game.roomRemote.members', { room })`),
 * over NATS in a cluster, in the process when it is the caller's own type.
 */
@Remote()
export class RoomRemote {
  constructor(@inject(TOKENS.GroupService) private readonly groups: GroupService) {}

  async members({ room }: { room: string }): Promise<{ members: string[] }> {
    return { members: await this.groups.members(room).catch(() => []) };
  }
}
