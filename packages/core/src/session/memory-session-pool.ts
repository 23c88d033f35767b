import { PitayaError } from '../errors/pitaya-error';
import type { Logger } from '../logging/logger';
import { FrontendSession, type SessionLink } from './frontend-session';
import { checkBind } from './bind-check';
import type { SessionCallback, SessionLifecycle, SessionPool } from './session-pool';

/** The sessions of this frontend, by id and by uid. */
export class MemorySessionPool implements SessionPool, SessionLifecycle {
  private readonly byId = new Map<number, FrontendSession>();
  private readonly byUid = new Map<string, FrontendSession>();
  private nextId = 1;
  private readonly bindCallbacks: SessionCallback[] = [];
  private readonly afterBindCallbacks: SessionCallback[] = [];
  private readonly closeCallbacks: SessionCallback[] = [];

  constructor(
    private readonly frontendId: string,
    private readonly logger: Logger,
  ) {}

  create(link: SessionLink): FrontendSession {
    const session = new FrontendSession(this.nextId++, this.frontendId, link, this);
    this.byId.set(session.id, session);
    return session;
  }

  get(id: number): FrontendSession | undefined {
    return this.byId.get(id);
  }

  getByUid(uid: string): FrontendSession | undefined {
    return this.byUid.get(uid);
  }

  get count(): number {
    return this.byId.size;
  }

  get boundCount(): number {
    return this.byUid.size;
  }

  sessions(): IterableIterator<FrontendSession> {
    return this.byId.values();
  }

  async bind(session: FrontendSession, uid: string): Promise<void> {
    checkBind(session, uid);
    refuseClosed(session);
    // as in Pitaya, callbacks see the uid, and a callback that throws undoes the bind
    session.uid = uid;
    try {
      for (const callback of this.bindCallbacks) await callback(session);
    } catch (err) {
      session.uid = undefined;
      throw err;
    }
    // the connection may have closed while the callbacks ran: a closed session must not hold the uid
    refuseClosed(session);
    // from the moment the uid finds it: another frontend's announcement is weighed against this
    session.boundAt = Date.now();
    this.byUid.set(uid, session);
    for (const callback of this.afterBindCallbacks) {
      try {
        await callback(session);
      } catch (err) {
        this.logger.error({ err, session: session.id }, 'onAfterSessionBind callback failed');
      }
    }
  }

  release(session: FrontendSession): void {
    if (session.uid !== undefined && this.byUid.get(session.uid) === session) this.byUid.delete(session.uid);
  }

  async close(session: FrontendSession): Promise<void> {
    if (session.closed) return;
    session.closed = true;
    this.byId.delete(session.id);
    this.release(session);
    const errors = await session.runCloseCallbacks();
    for (const callback of this.closeCallbacks) {
      try {
        await callback(session);
      } catch (err) {
        errors.push(err);
      }
    }
    for (const err of errors) this.logger.error({ err, session: session.id }, 'session close callback failed');
  }

  onSessionBind(callback: SessionCallback): void {
    this.bindCallbacks.push(callback);
  }

  onAfterSessionBind(callback: SessionCallback): void {
    this.afterBindCallbacks.push(callback);
  }

  onSessionClose(callback: SessionCallback): void {
    this.closeCallbacks.push(callback);
  }
}

/** A function, not an inline test: TypeScript would keep `closed` narrowed across the callbacks' awaits. */
function refuseClosed(session: FrontendSession): void {
  if (session.closed) throw PitayaError.badRequest(`session ${session.id} is closed`);
}
