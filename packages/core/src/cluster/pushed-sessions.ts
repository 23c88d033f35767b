import type { RpcSession } from '../wire/rpc-messages';

/** Where a forward stands among its session's forwards: Pitaya's metadata carries it as `[seq, answered]`. */
export interface ForwardPlace {
  /** The forward's number on its frontend (increasing). */
  seq: number;
  /** Every forward of the session up to this number was answered when its snapshot was taken. */
  answered: number;
}

export const FORWARD_PLACE_KEY = 'pitaya-ts.order';

/**
 * Takes the forward's place out of the request's metadata: the handler's calls do not carry it on
 * (undefined, not deleted: JSON leaves it out, and the object keeps its fast shape).
 */
export function takeForwardPlace(metadata: Record<string, unknown>): ForwardPlace | undefined {
  const raw = metadata[FORWARD_PLACE_KEY];
  if (raw === undefined) return undefined;
  metadata[FORWARD_PLACE_KEY] = undefined;
  if (!Array.isArray(raw) || typeof raw[0] !== 'number' || typeof raw[1] !== 'number') return undefined;
  return { seq: raw[0], answered: raw[1] };
}

interface Pushed {
  seq: number;
  session: RpcSession;
  expires: number;
}

/**
 * The session each handler of this server last pushed to its frontend (bind, `pushToFront`), kept
 * for the forwards of that session already on their way: their snapshot was taken before the push
 * reached the frontend, so they get the pushed one instead, as if each had waited for the answer
 * before it. Kept until a later forward says its snapshot has it, or until the deadline of the
 * forward that pushed it has passed (nothing sent before it is waited for then).
 */
export class PushedSessions {
  private readonly pushed = new Map<string, Pushed>();
  /** The size past which expired entries are swept (sessions that closed leave theirs behind). */
  private sweepAt = 1024;

  /** The session a forward is handled with: its snapshot, or what an earlier forward pushed since. */
  snapshotFor(key: string, place: ForwardPlace, snapshot: RpcSession | undefined): RpcSession | undefined {
    const pushed = this.pushed.get(key);
    if (pushed === undefined) return snapshot;
    if (place.answered >= pushed.seq || pushed.expires < Date.now()) {
      this.pushed.delete(key);
      return snapshot;
    }
    return pushed.session;
  }

  /** What a forward calls with each session its frontend took from it. */
  recorder(key: string, seq: number, timeoutMs: number): (session: RpcSession) => void {
    return (session) => this.remember(key, { seq, session, expires: Date.now() + timeoutMs });
  }

  get size(): number {
    return this.pushed.size;
  }

  private remember(key: string, pushed: Pushed): void {
    this.pushed.set(key, pushed);
    if (this.pushed.size < this.sweepAt) return;
    const now = Date.now();
    for (const [each, { expires }] of this.pushed) if (expires < now) this.pushed.delete(each);
    this.sweepAt = Math.max(1024, 2 * this.pushed.size);
  }
}
