import type { SessionPool } from './session-pool';

/**
 * `pitaya.session.unique` on one frontend: a session binding a uid that another session of
 * this server holds kicks the older one. (Across frontends, the cluster adds its own check.)
 */
export function enforceUniqueSessions(pool: SessionPool): void {
  pool.onSessionBind(async (session) => {
    // the pool sets the uid before it calls these
    if (session.uid === undefined) return;
    const older = pool.getByUid(session.uid);
    if (older && older !== session) await older.kick('another session bound the same uid');
  });
}
