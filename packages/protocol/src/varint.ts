import { ProtocolError } from './errors';

/** Message ids travel as unsigned LEB128; JavaScript numbers are exact up to 2^53-1. */
export const MAX_MESSAGE_ID = Number.MAX_SAFE_INTEGER;
// ceil(53 / 7) bytes hold every safe integer
const MAX_VARINT_BYTES = 8;

export function varintLength(value: number): number {
  let length = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    length++;
  }
  return length;
}

export function assertMessageId(id: number): void {
  if (!Number.isSafeInteger(id) || id < 0) {
    throw new ProtocolError('ERR_MESSAGE_ID', `message id must be an integer in [0, 2^53-1], got ${id}`);
  }
}

/** Writes `value` at `offset` and returns the offset after it. Arithmetic, not bitwise: ids exceed 32 bits. */
export function writeVarint(target: Uint8Array, offset: number, value: number): number {
  while (value >= 0x80) {
    target[offset++] = (value % 0x80) | 0x80;
    value = Math.floor(value / 0x80);
  }
  target[offset++] = value;
  return offset;
}

/** Reads a varint at `offset`; returns [value, offset after it]. */
export function readVarint(bytes: Uint8Array, offset: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < MAX_VARINT_BYTES; i++) {
    if (offset >= bytes.length) {
      throw new ProtocolError('ERR_MESSAGE_TRUNCATED', 'message id is cut short');
    }
    const byte = bytes[offset++]!;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) {
      if (value > MAX_MESSAGE_ID) {
        throw new ProtocolError('ERR_MESSAGE_ID', 'message id exceeds 2^53-1');
      }
      return [value, offset];
    }
    scale *= 0x80;
  }
  throw new ProtocolError('ERR_MESSAGE_ID', `message id longer than ${MAX_VARINT_BYTES} bytes`);
}
