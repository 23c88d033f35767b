import { PitayaError, type HandlerContext, type Session } from '@pitaya-ts/core';

/** The session data key of the room a player is in. */
export const ROOM = 'room';

/** The player on a session: the name they joined under, and their room. PIT-401 before they join. */
export function playerOf(session: Session): { name: string; room: string } {
  const room = session.get<string>(ROOM);
  if (session.uid === undefined || room === undefined) throw new PitayaError('PIT-401', 'join a room first');
  return { name: session.uid, room };
}

/**
 * A step run before the handlers that need a player (`@Before(signedIn)`): a session that has not
 * joined is refused before the handler runs.
 */
export function signedIn({ session }: HandlerContext, body: unknown): unknown {
  playerOf(session);
  return body;
}
