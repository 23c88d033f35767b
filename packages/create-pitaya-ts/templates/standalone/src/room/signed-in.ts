import { PitayaError, type HandlerContext } from '@pitaya-ts/core';

/** The session data key of the room a player is in. */
export const ROOM = 'room';

/**
 * A step run before the handlers that need a player (`@Before(signedIn)`): a session that has not
 * joined is refused before the handler runs.
 */
export function signedIn({ session }: HandlerContext, body: unknown): unknown {
  if (session.uid === undefined || !session.has(ROOM)) throw new PitayaError('PIT-401', 'join a room first');
  return body;
}
