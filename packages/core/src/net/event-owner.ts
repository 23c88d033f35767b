/**
 * For listeners shared by every connection, each finding its connection on the emitter (the
 * listener's `this`): idle connections are many, and a closure each per event adds up.
 */
export class EventOwners<T extends object> {
  private readonly key = Symbol('connection');

  /** Marks `owner` as the connection `emitter`'s events are for. */
  own(emitter: object, owner: T): void {
    (emitter as Record<symbol, T | undefined>)[this.key] = owner;
  }

  /** The connection `emitter`'s events are for. */
  of(emitter: object): T | undefined {
    return (emitter as Record<symbol, T | undefined>)[this.key];
  }
}

/** For 'error' events that need no handling ('close' follows). */
export const ignoreEvent = (): void => undefined;
