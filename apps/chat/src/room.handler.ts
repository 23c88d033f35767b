import { inject } from 'inversify';
import {
  Handler,
  Notify,
  PitayaError,
  Request,
  TOKENS,
  type GroupService,
  type HandlerContext,
  type Session,
  type SessionPool,
} from '@pitaya-ts/core';
import { JoinRequest, SendRequest, type JoinResponse } from './dto';

export const ROOM = 'room';

/** `chat.room.*`: one room everybody joins under a name. */
@Handler('room')
export class RoomHandler {
  constructor(
    @inject(TOKENS.GroupService) private readonly groups: GroupService,
    @inject(TOKENS.SessionPool) private readonly sessions: SessionPool,
  ) {}

  async init(): Promise<void> {
    await this.groups.create(ROOM);
  }

  /** Binds the session to the name, joins the room, tells the others. */
  @Request()
  async join(body: JoinRequest, { session }: HandlerContext): Promise<JoinResponse> {
    const { name } = body;
    if (session.uid !== undefined && session.uid !== name) {
      throw PitayaError.badRequest(`this connection already joined as ${session.uid}`, { name: session.uid });
    }
    // binding a name already in use kicks its older session (pitaya.session.unique); after a
    // leave, the connection keeps its name and may join again
    if (session.uid === undefined) {
      await session.bind(name);
      session.onClose(() => this.#leaveRoom(session, name));
    }
    if (!(await this.groups.contains(ROOM, name))) {
      // member first, then the news: two joining at once still hear of each other
      await this.groups.addMember(ROOM, name);
      await this.groups.broadcast(ROOM, 'onJoin', { name }, { exclude: [name] });
    }
    return { members: await this.groups.members(ROOM) };
  }

  /** A message to everyone in the room, the sender included. */
  @Notify()
  async send(body: SendRequest, { session }: HandlerContext): Promise<void> {
    const from = session.uid;
    if (from === undefined || !(await this.groups.contains(ROOM, from))) {
      throw PitayaError.badRequest('join the room before sending');
    }
    await this.groups.broadcast(ROOM, 'onMessage', { from, text: body.text });
  }

  @Request()
  async leave(_body: unknown, { session }: HandlerContext): Promise<{ ok: true }> {
    if (session.uid !== undefined) await this.#leaveRoom(session, session.uid);
    return { ok: true };
  }

  async #leaveRoom(session: Session, name: string): Promise<void> {
    // a newer session of the same name took over: the name stays in the room
    const holder = this.sessions.getByUid(name);
    if (holder && holder.id !== session.id) return;
    if (!(await this.groups.contains(ROOM, name))) return;
    await this.groups.removeMember(ROOM, name);
    await this.groups.broadcast(ROOM, 'onLeave', { name });
  }
}
