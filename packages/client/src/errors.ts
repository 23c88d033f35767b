/** An error the server answered with (`code`, `msg`, `metadata`): the servers' own class. */
export { PitayaError } from '@pitaya-ts/protocol';

export type ClientErrorCode =
  /** The transport could not be opened. */
  | 'CONNECT_FAILED'
  /** The server refused the handshake or answered it with something unreadable. */
  | 'HANDSHAKE_FAILED'
  /** No answer in time (connect, handshake or request). */
  | 'TIMEOUT'
  /** The connection went away while the request was in flight. */
  | 'DISCONNECTED'
  /** Called while not connected (before connect, during a reconnect, after close). */
  | 'NOT_CONNECTED'
  /** The body could not be serialized, or the answer deserialized. */
  | 'SERIALIZATION';

/** An error raised by the client itself, not answered by the server. */
export class ClientError extends Error {
  override readonly name = 'ClientError';

  constructor(
    readonly code: ClientErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Why a connection closed. */
export interface CloseReason {
  code: 'CLOSED_BY_CLIENT' | 'KICKED' | 'HEARTBEAT_TIMEOUT' | 'TRANSPORT_CLOSED' | 'PROTOCOL_ERROR';
  message: string;
}
