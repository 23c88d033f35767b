import { IsString, Length, Matches } from 'class-validator';
import { inject } from 'inversify';
import { Handler, Notify, PitayaError, Request, TOKENS, type GroupService, type HandlerContext } from '@pitaya-ts/core';

export class JoinRequest {
  @IsString()
  @Matches(/^[a-z0-9-]{1,32}$/, { message: 'room: 1 to 32 lower-case letters, digits or -' })
  room!: string;
}

export class SayRequest {
  @IsString()
  @Length(1, 500)
  text!: string;
}

/** The session data key of the player's room: the connector keeps it, and forwards it with each message. */
export const ROOM = 'room';

/** `room.room.*`: forwarded by a connector to a room server. */
@Handler('room')
export class RoomHandler {
  constructor(@inject(TOKENS.GroupService) private readonly groups: GroupService) {}

  @Request(JoinRequest)
  async join({ room }: JoinRequest, { session }: HandlerContext): Promise<{ members: string[] }> {
    if (session.uid === undefined) throw new PitayaError('PIT-401', 'log in first: connector.entry.login');
    await this.groups.create(room).catch(() => undefined); // the first player opens it
    if (!(await this.groups.contains(room, session.uid))) await this.groups.addMember(room, session.uid);
    await this.groups.broadcast(room, 'onJoin', { name: session.uid }, { exclude: [session.uid] });
    // a backend's session is a copy: the room reaches the connector's session only when pushed
    session.set(ROOM, room);
    await session.pushToFront();
    return { members: await this.groups.members(room) };
  }

  /** A message to everyone in the player's room, whichever connector holds them. */
  @Notify(SayRequest)
  async say({ text }: SayRequest, { session }: HandlerContext): Promise<void> {
    const room = session.get<string>(ROOM);
    if (session.uid === undefined || room === undefined) throw PitayaError.badRequest('join a room first');
    await this.groups.broadcast(room, 'onMessage', { from: session.uid, text });
  }
}
