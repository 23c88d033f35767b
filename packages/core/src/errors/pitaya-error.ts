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

const NOT_RUN = 'notRun';

/** The serialized form sent to clients and across servers: `{code, msg, metadata?}`. */
export interface WireError {
  code: string;
  msg: string;
  metadata?: Record<string, string>;
}

/**
 * An error with a code clients can act on. Throw it from a handler with an application code
 * (`new PitayaError('PIT-555', 'room is full', { room })`); anything else thrown becomes PIT-500.
 */
export class PitayaError extends Error {
  override readonly name = 'PitayaError';
  private notHandled = false;

  constructor(
    readonly code: string,
    message: string,
    readonly metadata: Record<string, string> = {},
  ) {
    super(message);
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
    error.notHandled = true;
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
    return this.notHandled;
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

/** The error a client may see: framework and application errors as they are, anything else hidden. */
export function asPitayaError(err: unknown): PitayaError {
  return err instanceof PitayaError ? err : PitayaError.internal();
}
