type Handler = (body: never) => void;
type AnyHandler = (route: string, body: unknown) => void;

/** Who listens to which push route. Bodies are decoded once, and only when someone listens. */
export class PushHandlers {
  private readonly byRoute = new Map<string, Set<Handler>>();
  private readonly everyRoute = new Set<AnyHandler>();

  /** Adds a handler; returns a function that removes it. */
  add(route: string, handler: Handler): () => void {
    let handlers = this.byRoute.get(route);
    if (!handlers) this.byRoute.set(route, (handlers = new Set()));
    handlers.add(handler);
    return () => handlers.delete(handler);
  }

  /** Adds a handler of every push, whatever its route; returns a function that removes it. */
  addAny(handler: AnyHandler): () => void {
    this.everyRoute.add(handler);
    return () => this.everyRoute.delete(handler);
  }

  /** Calls the route's handlers with the decoded body; a decoding or handler failure goes to `onError`. */
  deliver(route: string, decode: () => unknown, onError: (error: Error) => void): void {
    const handlers = this.byRoute.get(route);
    if (!handlers?.size && this.everyRoute.size === 0) return;
    let body: unknown;
    try {
      body = decode();
    } catch (err) {
      return onError(err as Error);
    }
    if (handlers) {
      for (const handler of handlers) {
        try {
          handler(body as never);
        } catch (err) {
          onError(err as Error);
        }
      }
    }
    for (const handler of this.everyRoute) {
      try {
        handler(route, body);
      } catch (err) {
        onError(err as Error);
      }
    }
  }
}
