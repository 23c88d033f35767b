/** Pitaya's error codes, as clients see them. */
export const ErrorCode = {
  Unknown: 'PIT-000',
  BadRequest: 'PIT-400',
  NotFound: 'PIT-404',
  Timeout: 'PIT-408',
  WriteFailed: 'PIT-498',
  ConnectionClosed: 'PIT-499',
  Internal: 'PIT-500',
  /** The server is shutting down: not a Pitaya code (pitaya-ts). */
  Unavailable: 'PIT-503',
} as const;

/** The serialized form sent to clients and across servers: `{code, msg, metadata?}`. */
export interface WireError {
  code: string;
  msg: string;
  metadata?: Record<string, string>;
}

// Symbol.for: an error made by another installed copy of the package is recognised all the same
const BRAND: unique symbol = Symbol.for('@pitaya-ts/PitayaError');
const NOT_HANDLED: unique symbol = Symbol.for('@pitaya-ts/PitayaError/notHandled');
const NOT_RUN = 'notRun';

/**
 * An error with a code clients can act on, the same class on servers and in the client. Throw it
 * from a handler with an application code (`new PitayaError('PIT-555', 'room is full', { room })`);
 * anything else thrown becomes PIT-500. Recognise one with `PitayaError.is(err)`: `instanceof`
 * fails for an error made by another installed copy of the package.
 */
export class PitayaError extends Error {
  override readonly name = 'PitayaError';
  // set by unreachable() alone, and not enumerable: no copy or spread of the error carries it
  declare private readonly [NOT_HANDLED]?: true;

  constructor(
    /** `PIT-404`, `PIT-500`..., or an application's own code. */
    readonly code: string,
    message: string,
    readonly metadata: Record<string, string> = {},
  ) {
    super(message);
  }

  // on the prototype: a plain object spread from an error is not taken for one
  // eslint-disable-next-line @typescript-eslint/class-literal-property-style -- a field would be spread
  get [BRAND](): true {
    return true;
  }

  /** Whether `value` is a PitayaError, from this copy of the package or any other. */
  static is(value: unknown): value is PitayaError {
    return typeof value === 'object' && value !== null && (value as Partial<PitayaError>)[BRAND] === true;
  }

  /** The reason, as sent on the wire (the same as `message`). */
  get msg(): string {
    return this.message;
  }

  static badRequest(reason: string, metadata?: Record<string, string>): PitayaError {
    return new PitayaError(ErrorCode.BadRequest, reason, metadata);
  }

  static routeNotFound(route: string): PitayaError {
    return new PitayaError(ErrorCode.NotFound, `route not found: ${route}`, { route });
  }

  static internal(): PitayaError {
    return new PitayaError(ErrorCode.Internal, 'internal server error');
  }

  /** Nobody serves that server's RPC subject: the message was not handled, and may go elsewhere. */
  static unreachable(serverId: string): PitayaError {
    const error = new PitayaError(ErrorCode.Internal, `server ${serverId} is unreachable`, { server: serverId });
    Object.defineProperty(error, NOT_HANDLED, { value: true });
    return error;
  }

  /**
   * The answer of a server that received a message but never ran it (it was stopping): the caller
   * takes it as `unreachable`, and may send the message elsewhere. Only the server that did not
   * run it says so; the caller turns it back into the flag, which no answer passes on.
   */
  static notRun(serverId: string): WireError {
    return {
      code: ErrorCode.Internal,
      msg: `server ${serverId} is unreachable`,
      metadata: { server: serverId, [NOT_RUN]: 'true' },
    };
  }

  /** Whether an answer is `notRun`'s. */
  static isNotRun(wire: WireError): boolean {
    return wire.metadata?.[NOT_RUN] === 'true';
  }

  /** A message the server read but could not finish before its shutdown timeout. */
  static shuttingDown(): PitayaError {
    return new PitayaError(ErrorCode.Unavailable, 'server shutting down');
  }

  /**
   * The RPC client that made the call was told nobody received it. Never true of an error that
   * came back from another server: one whose own nested call found nobody did handle the message.
   */
  get unreachable(): boolean {
    return this[NOT_HANDLED] === true;
  }

  static timeout(message: string, metadata?: Record<string, string>): PitayaError {
    return new PitayaError(ErrorCode.Timeout, message, metadata);
  }

  toWire(): WireError {
    const wire: WireError = { code: this.code, msg: this.message };
    if (Object.keys(this.metadata).length > 0) wire.metadata = this.metadata;
    return wire;
  }
}
