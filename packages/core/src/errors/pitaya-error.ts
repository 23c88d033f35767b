import { PitayaError } from '@pitaya-ts/protocol';

// one class for servers and clients: the protocol package holds it, with its codes and wire form
export { ErrorCode, errorMessage, PitayaError, type WireError } from '@pitaya-ts/protocol';

/** The error a client may see: framework and application errors as they are, anything else hidden. */
export function asPitayaError(err: unknown): PitayaError {
  return PitayaError.is(err) ? err : PitayaError.internal();
}
