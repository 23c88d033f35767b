import { CONFIG_SCHEMA } from '../config/config-schema';
import { PitayaError } from '../errors/pitaya-error';
import type { Serializer } from './serializer';
import { errorMessage } from '@pitaya-ts/protocol';

const decoder = new TextDecoder('utf-8', { fatal: true });
const EMPTY = new Uint8Array(0);

/**
 * JSON text as UTF-8. Buffer.from takes texts under 4 KiB from Node's shared pool: a fresh
 * ArrayBuffer per body (TextEncoder.encode, or a copy out of scratch space) costs several times
 * the encoding itself once the garbage collector's share is counted.
 */
function utf8(text: string | undefined): Uint8Array {
  // JSON.stringify gives undefined for a function or a symbol: an empty body
  return text === undefined ? EMPTY : Buffer.from(text);
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/**
 * Whether JSON text nests arrays and objects deeper than `maxDepth`, found by counting brackets
 * outside strings (no byte of a multi-byte UTF-8 character is an ASCII bracket or quote).
 * JSON.parse copes with any depth, but what walks its result recursively (class-transformer,
 * JSON.stringify, handlers) overflows the stack a few thousand levels down.
 */
function nestsDeeper(bytes: Uint8Array, maxDepth: number): boolean {
  // valid JSON that deep has an opening and a closing bracket per level; JSON.parse refuses the rest
  if (bytes.length <= 2 * maxDepth + 1) return false;
  let depth = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]; // only compared: it needs no proof that it is there
    if (byte === QUOTE) {
      // to the closing quote, stepping over escapes
      for (i++; i < bytes.length && bytes[i] !== QUOTE; i++) if (bytes[i] === BACKSLASH) i++;
    } else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
      if (++depth > maxDepth) return true;
    } else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) depth--;
  }
  return false;
}

export class JsonSerializer implements Serializer {
  readonly name = 'json';

  /** `maxDepth`: `pitaya.serializer.json.maxdepth`, the deepest nesting of a body read. */
  constructor(private readonly maxDepth = CONFIG_SCHEMA['pitaya.serializer.json.maxdepth'].default) {}

  marshal(value: unknown): Uint8Array {
    if (value instanceof Uint8Array) return value;
    if (value === undefined) return EMPTY;
    return utf8(JSON.stringify(value));
  }

  unmarshal(bytes: Uint8Array): unknown {
    if (bytes.length === 0) return undefined;
    if (nestsDeeper(bytes, this.maxDepth))
      throw PitayaError.badRequest(`body nests deeper than ${this.maxDepth} levels`);
    try {
      return JSON.parse(decoder.decode(bytes));
    } catch (err) {
      throw PitayaError.badRequest(`body is not valid JSON: ${errorMessage(err)}`);
    }
  }

  marshalError(error: { code: string; msg: string; metadata?: Record<string, string> }): Uint8Array {
    return utf8(JSON.stringify(error));
  }
}
