import { ProtocolError, type ProtocolErrorCode } from './errors';

const encoder = new TextEncoder();
// fatal: invalid UTF-8 is an error of the peer, not text to be silently mangled
const decoder = new TextDecoder('utf-8', { fatal: true });

export function utf8Encode(text: string): Uint8Array {
  return encoder.encode(text);
}

export function utf8Decode(bytes: Uint8Array, code: ProtocolErrorCode, what: string): string {
  try {
    return decoder.decode(bytes);
  } catch {
    throw new ProtocolError(code, `${what} is not valid UTF-8`);
  }
}

/** JSON with object keys sorted at every level, as Go's encoding/json writes maps. */
export function sortedJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v) || ArrayBuffer.isView(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
}
