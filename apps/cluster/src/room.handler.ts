import { inject } from 'inversify';
import {
  Handler,
  Notify,
  PitayaError,
  Request,
  TOKENS,
  type HandlerContext,
  type PitayaApp,
  type ServiceDiscovery,
} from '@pitaya-ts/core';
import { DEFAULT_ROOM, roomOf, Rooms } from './rooms';
import { LEAVE_ROUTE, LEAVE_TYPES, STATS_ROUTE, STATS_TYPES } from './room.remote';

/** `room.room.*`: forwarded from the connectors, run on the room server the router picked. */
@Handler('room')
export class RoomHandler {
  constructor(
    @inject(Rooms) private readonly rooms: Rooms,
    @inject(TOKENS.ServiceDiscovery) private readonly discovery: ServiceDiscovery,
    @inject(TOKENS.App) private readonly app: PitayaApp,
  ) {}

  /** Joins a room (`lobby` by default) and tells the others there. */
  @Request()
  async join(body: { room?: string } | undefined, { session }: HandlerContext): Promise<{ members: string[] }> {
    if (session.uid === undefined) throw PitayaError.badRequest('log in first: connector.entry.login');
    const room = typeof body?.room === 'string' && body.room !== '' ? body.room : DEFAULT_ROOM;
    const previous = roomOf(session);
    if (previous !== undefined && previous !== room) {
      // the old room may live on another room server: ask it through the router, by the session's room
      await this.app.rpc(LEAVE_ROUTE, { uid: session.uid, room: previous }, { session, types: LEAVE_TYPES });
    }
    const members = await this.rooms.join(room, session.uid);
    // the connector routes this session's next messages by its room
    session.set('room', room);
    await session.pushToFront();
    return { members };
  }

  @Notify()
  async send(body: { text: string }, { session }: HandlerContext): Promise<void> {
    if (session.uid === undefined || typeof body?.text !== 'string')
      throw PitayaError.badRequest('send {"text"} after joining');
    await this.rooms.send(roomOf(session), session.uid, body.text);
  }

  /** Rooms and members summed over every room server, asked through their remote. */
  @Request()
  async stats(): Promise<{ rooms: number; members: number }> {
    const answers = await Promise.all(
      this.discovery
        .getServersByType('room')
        .map((server) =>
          this.app.rpcTo<{ rooms: number; members: number }>(server.id, STATS_ROUTE, {}, { types: STATS_TYPES }),
        ),
    );
    return answers.reduce((sum, s) => ({ rooms: sum.rooms + s.rooms, members: sum.members + s.members }), {
      rooms: 0,
      members: 0,
    });
  }
}
