import { PitayaError } from '../errors/pitaya-error';
import type { Serializer } from './serializer';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export class JsonSerializer implements Serializer {
  readonly name = 'json';

  marshal(value: unknown): Uint8Array {
    if (value instanceof Uint8Array) return value;
    if (value === undefined) return new Uint8Array(0);
    return encoder.encode(JSON.stringify(value));
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
    return encoder.encode(JSON.stringify(error));
  }
}
