import type { Logger } from '../logging/logger';

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
