import { inject } from 'inversify';
import { Remote, TOKENS, type GroupService } from '@pitaya-ts/core';

/** `room.roomRemote.*`: what other servers ask a room server, over NATS. */
@Remote()
export class RoomRemote {
  constructor(@inject(TOKENS.GroupService) private readonly groups: GroupService) {}

  async members({ room }: { room: string }): Promise<{ members: string[] }> {
    return { members: await this.groups.members(room).catch(() => []) };
  }
}
