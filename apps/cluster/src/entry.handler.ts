import { inject } from 'inversify';
import { Handler, PitayaError, Request, TOKENS, type HandlerContext, type PitayaApp } from '@pitaya-ts/core';
import { reliableRpc } from '@pitaya-ts/worker';
import { GRANT_BADGE_ROUTE } from './room.remote';
import { roomOf } from './rooms';

/** `connector.entry.*`: the connector's own routes. */
@Handler('entry')
export class EntryHandler {
  constructor(@inject(TOKENS.App) private readonly app: PitayaApp) {}

  /** Binds the session to the user id; the room servers see it from then on. */
  @Request()
  async login(body: { uid: string }, { session }: HandlerContext): Promise<{ ok: true }> {
    await session.bind(body.uid);
    return { ok: true };
  }

  /**
   * Grants the member a badge in its room through a reliable RPC: answers the job id at once; a
   * worker of a room server runs it (retrying until it succeeds), and the room hears `onBadge`.
   */
  @Request()
  async badge(body: { badge?: unknown } | undefined, { session }: HandlerContext): Promise<{ jid: string }> {
    const room = roomOf(session);
    if (session.uid === undefined || room === undefined) throw PitayaError.badRequest('join a room first');
    const badge = body?.badge;
    if (typeof badge !== 'string' || badge.length < 1 || badge.length > 32)
      throw PitayaError.badRequest('badge: a name of 1 to 32 characters');
    const arg = { userId: session.uid, room, badge };
    // the room in the metadata: the worker sends the job to the room's server
    return { jid: await reliableRpc(this.app, GRANT_BADGE_ROUTE, arg, { metadata: { room } }) };
  }
}
