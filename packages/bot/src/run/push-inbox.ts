/** Pushes kept per route while no step waits for them; past this the oldest are dropped. */
export const PUSHES_KEPT_PER_ROUTE = 1000;

interface Waiter {
  accept(body: unknown): boolean;
  resolve(body: unknown): void;
}

/**
 * The pushes a bot receives on the routes its steps wait for. A wait takes the first push that
 * matches, skipping (and dropping) those before it; a push that comes while nobody waits is kept
 * for the next wait, up to PUSHES_KEPT_PER_ROUTE per route.
 */
export class PushInbox {
  private readonly kept = new Map<string, unknown[]>();
  private readonly waiters = new Map<string, Waiter>();

  put(route: string, body: unknown): void {
    const waiter = this.waiters.get(route);
    if (waiter) {
      if (!waiter.accept(body)) return;
      this.waiters.delete(route);
      return waiter.resolve(body);
    }
    let queue = this.kept.get(route);
    if (!queue) this.kept.set(route, (queue = []));
    if (queue.length >= PUSHES_KEPT_PER_ROUTE) queue.shift();
    queue.push(body);
  }

  /** Resolves with the first matching push, or `undefined` after `timeoutMs`. */
  take(route: string, accept: (body: unknown) => boolean, timeoutMs: number): Promise<{ body: unknown } | undefined> {
    const queue = this.kept.get(route) ?? [];
    while (queue.length) {
      const body = queue.shift();
      if (accept(body)) return Promise.resolve({ body });
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(route);
        resolve(undefined);
      }, timeoutMs);
      this.waiters.set(route, {
        accept,
        resolve: (body) => {
          clearTimeout(timer);
          resolve({ body });
        },
      });
    });
  }

  clear(): void {
    this.kept.clear();
  }
}
