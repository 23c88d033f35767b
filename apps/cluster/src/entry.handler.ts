import { Handler, Request, type HandlerContext } from '@pitaya-ts/core';

/** `connector.entry.*`: the connector's own route. */
@Handler('entry')
export class EntryHandler {
  /** Binds the session to the user id; the room servers see it from then on. */
  @Request()
  async login(body: { uid: string }, { session }: HandlerContext): Promise<{ ok: true }> {
    await session.bind(body.uid);
    return { ok: true };
  }
}
