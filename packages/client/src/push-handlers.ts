type Handler = (body: never) => void;

/** Who listens to which push route. Bodies are decoded once, and only when someone listens. */
export class PushHandlers {
  private readonly byRoute = new Map<string, Set<Handler>>();

  /** Adds a handler; returns a function that removes it. */
  add(route: string, handler: Handler): () => void {
    let handlers = this.byRoute.get(route);
    if (!handlers) this.byRoute.set(route, (handlers = new Set()));
    handlers.add(handler);
    return () => handlers.delete(handler);
  }

  /** Calls the route's handlers with the decoded body; a decoding or handler failure goes to `onError`. */
  deliver(route: string, decode: () => unknown, onError: (error: Error) => void): void {
    const handlers = this.byRoute.get(route);
    if (!handlers?.size) return;
    let body: unknown;
    try {
      body = decode();
    } catch (err) {
      return onError(err as Error);
    }
    for (const handler of handlers) {
      try {
        handler(body as never);
      } catch (err) {
        onError(err as Error);
      }
    }
  }
}
