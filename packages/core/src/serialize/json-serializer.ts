import { PitayaError } from '../errors/pitaya-error';
import type { Serializer } from './serializer';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });
// encode() allocates a fresh ArrayBuffer per call, several times the cost of encoding a small
// body into scratch space and copying it out
const scratch = new Uint8Array(16 * 1024);

function utf8(text: string | undefined): Uint8Array {
  // JSON.stringify gives undefined for a function or a symbol: encode() makes that empty
  // a UTF-16 code unit takes at most 3 bytes in UTF-8
  if (text === undefined || text.length * 3 > scratch.length) return encoder.encode(text);
  return scratch.slice(0, encoder.encodeInto(text, scratch).written);
}

export class JsonSerializer implements Serializer {
  readonly name = 'json';

  marshal(value: unknown): Uint8Array {
    if (value instanceof Uint8Array) return value;
    if (value === undefined) return new Uint8Array(0);
    return utf8(JSON.stringify(value));
  }

  unmarshal(bytes: Uint8Array): unknown {
    if (bytes.length === 0) return undefined;
    try {
      return JSON.parse(decoder.decode(bytes));
    } catch (err) {
      throw PitayaError.badRequest(`body is not valid JSON: ${(err as Error).message}`);
    }
  }

  marshalError(error: { code: string; msg: string; metadata?: Record<string, string> }): Uint8Array {
    return utf8(JSON.stringify(error));
  }
}
