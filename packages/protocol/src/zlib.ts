import { Gunzip, Unzlib, zlibSync, type FlateStreamHandler } from 'fflate';
import { errorMessage, ProtocolError } from './errors';

/**
 * zlib (RFC 1950) for message bodies and handshake replies. The default runs anywhere (fflate);
 * a Node server may pass one backed by node:zlib, which is faster.
 */
export interface ZlibCodec {
  deflate(data: Uint8Array): Uint8Array;
  /** Must throw when the output would pass `maxOutputLength`, before producing it. */
  inflate(data: Uint8Array, maxOutputLength: number): Uint8Array;
  gunzip(data: Uint8Array, maxOutputLength: number): Uint8Array;
}

// Feeding the inflater small slices bounds what one step can produce (deflate expands at most
// ~1032:1), so a decompression bomb is stopped after a few hundred KiB rather than gigabytes.
const INFLATE_SLICE = 256;

interface InflateStream {
  push(chunk: Uint8Array, final?: boolean): void;
}

function inflateBounded(
  Stream: new (ondata: FlateStreamHandler) => InflateStream,
  data: Uint8Array,
  maxOutputLength: number,
): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let done = false as boolean; // set in the callback, where TypeScript's narrowing does not look
  const inflater = new Stream((chunk, final) => {
    total += chunk.length;
    if (total > maxOutputLength) {
      throw new ProtocolError('ERR_BODY_TOO_LARGE', `inflated body exceeds ${maxOutputLength} bytes`);
    }
    chunks.push(chunk);
    done = final;
  });
  for (let offset = 0; offset < data.length; offset += INFLATE_SLICE) {
    const end = Math.min(offset + INFLATE_SLICE, data.length);
    inflater.push(data.subarray(offset, end), end === data.length);
  }
  if (!done) throw new ProtocolError('ERR_ZLIB', 'compressed stream is incomplete');
  const [only] = chunks;
  if (chunks.length === 1 && only) return only;
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

function adler32(data: Uint8Array): number {
  let a = 1;
  let b = 0;
  // 5552 is the largest run that cannot overflow before the modulo (zlib's NMAX)
  for (let start = 0; start < data.length; start += 5552) {
    const end = Math.min(start + 5552, data.length);
    for (let i = start; i < end; i++) {
      a += data[i]!;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

// fflate neither checks the Adler-32 trailer nor notices every truncation; the trailer check catches both.
function inflateZlib(data: Uint8Array, maxOutputLength: number): Uint8Array {
  const out = inflateBounded(Unzlib, data, maxOutputLength);
  const n = data.length;
  const trailer =
    n >= 6 ? ((data[n - 4]! << 24) | (data[n - 3]! << 16) | (data[n - 2]! << 8) | data[n - 1]!) >>> 0 : -1;
  if (trailer !== adler32(out))
    throw new ProtocolError('ERR_ZLIB', 'zlib checksum mismatch: body corrupt or truncated');
  return out;
}

export const fflateZlib: ZlibCodec = {
  deflate: (data) => zlibSync(data),
  inflate: inflateZlib,
  gunzip: (data, maxOutputLength) => inflateBounded(Gunzip, data, maxOutputLength),
};

/** Runs a codec call, turning whatever the codec throws into the protocol's error. */
export function guardZlib<T>(what: string, run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof ProtocolError) throw err;
    throw new ProtocolError('ERR_ZLIB', `${what}: ${errorMessage(err)}`);
  }
}

/** True when bytes start like a zlib (78 01|5e|9c|da) or gzip (1f 8b) stream, as clients sniff. */
export function sniffCompression(bytes: Uint8Array): 'zlib' | 'gzip' | undefined {
  if (bytes.length < 2) return undefined;
  const [a, b] = [bytes[0], bytes[1]];
  if (a === 0x78 && (b === 0x01 || b === 0x5e || b === 0x9c || b === 0xda)) return 'zlib';
  if (a === 0x1f && b === 0x8b) return 'gzip';
  return undefined;
}
