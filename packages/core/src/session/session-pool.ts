import type { FrontendSession, SessionLink } from './frontend-session';

/** Pool-wide callbacks; an onSessionBind callback that throws refuses the bind. */
export type SessionCallback = (session: FrontendSession) => void | Promise<void>;

/** The sessions of this frontend's connections. */
export interface SessionPool {
  create(link: SessionLink): FrontendSession;
  get(id: number): FrontendSession | undefined;
  getByUid(uid: string): FrontendSession | undefined;
  /** Sessions open on this server. */
  readonly count: number;
  /** Of them, those bound to a uid. */
  readonly boundCount: number;
  sessions(): IterableIterator<FrontendSession>;
  bind(session: FrontendSession, uid: string): Promise<void>;
  /** Removes a session whose connection closed, running its callbacks and the pool's. */
  close(session: FrontendSession): Promise<void>;
  onSessionBind(callback: SessionCallback): void;
  onAfterSessionBind(callback: SessionCallback): void;
  onSessionClose(callback: SessionCallback): void;
}
