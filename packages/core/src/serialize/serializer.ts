/**
 * Turns handler values into bytes and back. `type` names the message type where the format
 * needs one (protobuf); JSON ignores it.
 */
export interface Serializer {
  /** Announced in the handshake: `json` or `protobuf` (or a custom name clients know). */
  readonly name: string;
  marshal(value: unknown, type?: string): Uint8Array;
  unmarshal(bytes: Uint8Array, type?: string): unknown;
  /** Serializes an error `{code, msg, metadata}` for an error response. */
  marshalError(error: { code: string; msg: string; metadata?: Record<string, string> }): Uint8Array;
}
