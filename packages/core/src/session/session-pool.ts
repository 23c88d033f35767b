import type { FrontendSession, SessionLink } from './frontend-session';

/** Pool-wide callbacks; an onSessionBind callback that throws refuses the bind. */
export type SessionCallback = (session: FrontendSession) => void | Promise<void>;

/** The sessions of this frontend's connections, as the application sees them (`app.sessions`). */
export interface SessionPool {
  get(id: number): FrontendSession | undefined;
  getByUid(uid: string): FrontendSession | undefined;
  /** Sessions open on this server. */
  readonly count: number;
  /** Of them, those bound to a uid. */
  readonly boundCount: number;
  sessions(): IterableIterator<FrontendSession>;
  onSessionBind(callback: SessionCallback): void;
  onAfterSessionBind(callback: SessionCallback): void;
  onSessionClose(callback: SessionCallback): void;
}

/**
 * What the framework does with sessions: one is made for each connection, bound when its
 * `session.bind()` is called, and closed with its connection. A pool implements both interfaces;
 * the default binds one MemorySessionPool under `TOKENS.SessionPool` and `TOKENS.SessionLifecycle`.
 */
export interface SessionLifecycle {
  create(link: SessionLink): FrontendSession;
  bind(session: FrontendSession, uid: string): Promise<void>;
  /** Removes a session whose connection closed, running its callbacks and the pool's. */
  close(session: FrontendSession): Promise<void>;
}
