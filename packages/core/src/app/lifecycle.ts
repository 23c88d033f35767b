import type { PitayaConfig } from '../config/config-loader';
import type { Logger } from '../logging/logger';
import type { SessionPool } from '../session/session-pool';

export type Hook = 'init' | 'afterInit' | 'beforeShutdown' | 'shutdown';

/**
 * Calls a lifecycle hook on each target that has it: in order when starting, in reverse when
 * stopping. A failing start hook stops the start; a failing stop hook is logged and the stop goes on.
 */
export async function runHook(targets: object[], hook: Hook, logger: Logger): Promise<void> {
  const stopping = hook === 'beforeShutdown' || hook === 'shutdown';
  const ordered = stopping ? [...targets].reverse() : targets;
  for (const target of ordered) {
    const fn = (target as Record<string, unknown>)[hook];
    if (typeof fn !== 'function') continue;
    try {
      await (fn as () => unknown).call(target);
    } catch (err) {
      if (!stopping) throw err;
      logger.error({ err, hook, component: target.constructor.name }, 'lifecycle hook failed');
    }
  }
}

/** `pitaya.session.drain.*`: waits, up to the timeout, for the clients to leave on their own. */
export async function drainSessions(pool: SessionPool, config: PitayaConfig, logger: Logger): Promise<void> {
  const timeout = config.get('pitaya.session.drain.timeout');
  const period = config.get('pitaya.session.drain.period');
  const deadline = Date.now() + timeout;
  while (pool.count > 0 && Date.now() < deadline) {
    logger.info({ sessions: pool.count }, 'draining sessions');
    await new Promise((resolve) => setTimeout(resolve, Math.min(period, Math.max(0, deadline - Date.now()))));
  }
}
