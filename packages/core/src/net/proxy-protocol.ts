/**
 * PROXY protocol v1 (text) and v2 (binary) headers, which load balancers put before a TCP
 * stream to tell the client's real address. `readProxyHeader` waits for the whole header; the
 * bytes after it are the client's.
 */
const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const V1_PREFIX = Buffer.from('PROXY ');
const V1_MAX = 107;

export class ProxyHeaderError extends Error {
  override readonly name = 'ProxyHeaderError';
}

export interface ProxyHeader {
  /** `host:port` of the client, or undefined for LOCAL / UNKNOWN connections. */
  source: string | undefined;
  /** Bytes after the header. */
  rest: Buffer;
}

function startsWith(bytes: Buffer, prefix: Buffer): boolean {
  const n = Math.min(bytes.length, prefix.length);
  return bytes.subarray(0, n).equals(prefix.subarray(0, n));
}

/** The header, or undefined while more bytes are needed. Throws ProxyHeaderError on anything else. */
export function readProxyHeader(bytes: Buffer): ProxyHeader | undefined {
  if (startsWith(bytes, V2_SIGNATURE)) return readV2(bytes);
  if (startsWith(bytes, V1_PREFIX)) return readV1(bytes);
  throw new ProxyHeaderError('the connection does not start with a PROXY protocol header');
}

function readV1(bytes: Buffer): ProxyHeader | undefined {
  const end = bytes.indexOf('\r\n');
  if (end < 0) {
    if (bytes.length >= V1_MAX) throw new ProxyHeaderError('PROXY v1 header longer than 107 bytes');
    return undefined;
  }
  const [, family, src, , srcPort] = bytes.subarray(0, end).toString('ascii').split(' ');
  const rest = bytes.subarray(end + 2);
  if (family === 'UNKNOWN') return { source: undefined, rest };
  if ((family !== 'TCP4' && family !== 'TCP6') || !src || !srcPort) throw new ProxyHeaderError('bad PROXY v1 header');
  return { source: family === 'TCP6' ? `[${src}]:${srcPort}` : `${src}:${srcPort}`, rest };
}

function readV2(bytes: Buffer): ProxyHeader | undefined {
  if (bytes.length < 16) return undefined;
  const versionCommand = bytes.readUInt8(12);
  if (versionCommand >> 4 !== 2) throw new ProxyHeaderError('bad PROXY v2 version');
  const total = 16 + bytes.readUInt16BE(14);
  if (bytes.length < total) return undefined;
  const rest = bytes.subarray(total);
  const local = (versionCommand & 0x0f) === 0;
  const family = bytes.readUInt8(13) >> 4;
  if (local || family === 0) return { source: undefined, rest };
  if (family === 1 && total >= 16 + 12) {
    const ip = [...bytes.subarray(16, 20)].join('.');
    return { source: `${ip}:${bytes.readUInt16BE(24)}`, rest };
  }
  if (family === 2 && total >= 16 + 36) {
    const groups = Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(16 + i * 2).toString(16));
    return { source: `[${groups.join(':')}]:${bytes.readUInt16BE(48)}`, rest };
  }
  return { source: undefined, rest };
}
