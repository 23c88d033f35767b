import { PitayaError } from '../errors/pitaya-error';

/** Refuses what no session may bind (Pitaya's checks): an empty uid, or a session bound already. */
export function checkBind(session: { readonly id: number; readonly uid: string | undefined }, uid: string): void {
  if (typeof uid !== 'string' || uid === '') throw PitayaError.badRequest('a uid must be a non-empty string');
  if (session.uid !== undefined) {
    throw PitayaError.badRequest(`session ${session.id} is already bound to ${session.uid}`, { uid: session.uid });
  }
}
