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
  async join(
    body: { room?: string } | undefined,
    { session, metadata }: HandlerContext,
  ): Promise<{ members: string[] }> {
    if (session.uid === undefined) throw PitayaError.badRequest('log in first: connector.entry.login');
    const room = typeof body?.room === 'string' && body.room !== '' ? body.room : DEFAULT_ROOM;
    const previous = roomOf(session);
    if (previous !== undefined && previous !== room) {
      // the old room may live on another room server: ask it through the router, by the session's room
      await this.app.rpc(LEAVE_ROUTE, { uid: session.uid, room: previous }, { session, metadata, types: LEAVE_TYPES });
    }
    const members = await this.rooms.join(room, session.uid);
    // the connector routes this session's next messages by its room
    session.set('room', room);
    await session.pushToFront();
    return { members };
  }

  @Notify()
  async send(body: { text?: unknown } | undefined, { session }: HandlerContext): Promise<void> {
    if (session.uid === undefined || typeof body?.text !== 'string')
      throw PitayaError.badRequest('send {"text"} after joining');
    await this.rooms.send(roomOf(session), session.uid, body.text);
  }

  /**
   * Rooms and members summed over every room server, asked through their remote; a server that
   * does not answer (dead, still listed until its lease expires) is counted in `failed`.
   */
  @Request()
  async stats(
    _body: unknown,
    { metadata }: HandlerContext,
  ): Promise<{ rooms: number; members: number; failed: number }> {
    const servers = this.discovery.getServersByType('room');
    const answers = await Promise.allSettled(
      servers.map((server) =>
        this.app.rpcTo<{ rooms: number; members: number }>(
          server.id,
          STATS_ROUTE,
          {},
          { metadata, types: STATS_TYPES },
        ),
      ),
    );
    const sum = { rooms: 0, members: 0, failed: 0 };
    answers.forEach((answer, i) => {
      if (answer.status === 'fulfilled') {
        sum.rooms += answer.value.rooms;
        sum.members += answer.value.members;
      } else {
        sum.failed++;
        this.app.logger.warn({ err: answer.reason, server: servers[i]?.id }, 'a room server did not answer stats');
      }
    });
    return sum;
  }
}
