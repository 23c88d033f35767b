import { inject } from 'inversify';
import {
  Before,
  Handler,
  Notify,
  PitayaError,
  Request,
  TOKENS,
  type GroupService,
  type HandlerContext,
  type PitayaConfig,
} from '@pitaya-ts/core';
import { Clock } from '../clock';
import type { configSchema } from '../config';
import { JoinRequest, SayRequest, type ChatMessage, type JoinResponse } from './dto';
import { playerOf, ROOM, signedIn } from './signed-in';

/** `game.room.*`: players join a room by name and talk to everyone in it. */
@Handler('room')
export class RoomHandler {
  constructor(
    @inject(TOKENS.GroupService) private readonly groups: GroupService,
    @inject(TOKENS.Config) private readonly config: PitayaConfig<typeof configSchema>,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  /** Signs the player in under the name, puts them in the room, and tells the others. */
  @Request(JoinRequest) // the body is validated: a bad one is answered PIT-400 with the reasons
  async join({ name, room }: JoinRequest, { session }: HandlerContext): Promise<JoinResponse> {
    if (session.uid !== undefined) throw PitayaError.badRequest(`already in a room as ${session.uid}`);
    if ((await this.#membersOf(room)).length >= this.config.get('game.room.capacity'))
      throw new PitayaError('GAME-001', 'the room is full', { room });
    await session.bind(name);
    session.set(ROOM, room); // session data: the steps and handlers after this one read it
    session.onClose(() => this.#leave(room, name));
    await this.groups.create(room).catch(() => undefined); // the first player opens it; later ones find it
    await this.groups.addMember(room, name);
    await this.groups.broadcast(room, 'onJoin', { name }, { exclude: [name] });
    return { members: await this.groups.members(room) };
  }

  /** A message to everyone in the player's room, the sender included. */
  @Notify(SayRequest)
  @Before(signedIn)
  async say({ text }: SayRequest, { session }: HandlerContext): Promise<void> {
    const { name, room } = playerOf(session);
    const message: ChatMessage = { from: name, text, at: this.clock.now() };
    await this.groups.broadcast(room, 'onMessage', message);
  }

  /** Who is in the player's room. */
  @Request()
  @Before(signedIn)
  async members(_body: unknown, { session }: HandlerContext): Promise<JoinResponse> {
    return { members: await this.#membersOf(playerOf(session).room) };
  }

  async #membersOf(room: string): Promise<string[]> {
    return this.groups.members(room).catch(() => []); // a room nobody opened yet has none
  }

  async #leave(room: string, name: string): Promise<void> {
    await this.groups.removeMember(room, name);
    await this.groups.broadcast(room, 'onLeave', { name });
  }
}
