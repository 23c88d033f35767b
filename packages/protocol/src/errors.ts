/** Why a byte sequence is not valid protocol. */
export type ProtocolErrorCode =
  | 'ERR_PACKET_TYPE'
  | 'ERR_PACKET_TRUNCATED'
  | 'ERR_PACKET_TOO_LARGE'
  | 'ERR_MESSAGE_TYPE'
  | 'ERR_MESSAGE_TRUNCATED'
  | 'ERR_MESSAGE_ID'
  | 'ERR_ROUTE'
  | 'ERR_ROUTE_CODE'
  | 'ERR_BODY_TOO_LARGE'
  | 'ERR_ZLIB'
  | 'ERR_HANDSHAKE';

/**
 * The only exception the codec throws on bad input. Callers close the offending connection on it;
 * anything else escaping the codec would be a bug.
 */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';

  constructor(
    readonly code: ProtocolErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isProtocolError(err: unknown): err is ProtocolError {
  return err instanceof ProtocolError;
}

/** The message of anything thrown: an error's message (of any realm or copy), or the value as text. */
export function errorMessage(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'message' in err && typeof err.message === 'string')
    return err.message;
  return String(err);
}
