import { errorMessage, ProtocolError } from './errors';
import { encodePacket, PacketType } from './packet';
import { sortedJson, utf8Decode, utf8Encode } from './utf8';
import { fflateZlib, guardZlib, sniffCompression, type ZlibCodec } from './zlib';

/**
 * The client's `sys` block. Pitaya clients (libpitaya, the Go client) send platform, libVersion,
 * clientBuildNumber and clientVersion; pomelo-family clients send type and version.
 */
export interface HandshakeSys {
  platform?: string;
  libVersion?: string;
  clientBuildNumber?: string;
  clientVersion?: string;
  type?: string;
  version?: string;
  [key: string]: unknown;
}

export interface HandshakeRequest {
  sys: HandshakeSys;
  /** Application data, stored with the session. */
  user?: Record<string, unknown>;
}

export interface HandshakeResponseSys {
  /** Seconds between heartbeats; may be fractional; 0 disables them. */
  heartbeat?: number;
  /** Route → code, for route compression. */
  dict?: Record<string, number>;
  serializer?: string;
  /** libpitaya reads it beside `dict`. */
  useDict?: boolean;
  [key: string]: unknown;
}

export interface HandshakeResponse {
  /** 200 accepted; anything else rejected (400 in Pitaya). */
  code: number;
  sys?: HandshakeResponseSys;
  [key: string]: unknown;
}

export type ClientFamily = 'pitaya' | 'pomelo';

export const HANDSHAKE_OK = 200;
export const HANDSHAKE_REJECTED = 400;
// A handshake reply is small; this bounds a hostile compressed one.
const MAX_HANDSHAKE_JSON = 1 << 20;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJsonObject(bytes: Uint8Array, what: string): Record<string, unknown> {
  const text = utf8Decode(bytes, 'ERR_HANDSHAKE', what);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ProtocolError('ERR_HANDSHAKE', `${what} is not JSON: ${errorMessage(err)}`);
  }
  if (!isObject(value)) throw new ProtocolError('ERR_HANDSHAKE', `${what} must be a JSON object`);
  return value;
}

/** The body of a client's Handshake packet (JSON, never compressed). */
export function encodeHandshakeRequest(request: HandshakeRequest): Uint8Array {
  return utf8Encode(JSON.stringify(request));
}

export function decodeHandshakeRequest(body: Uint8Array): HandshakeRequest {
  const value = parseJsonObject(body, 'handshake request');
  const { sys = {}, user } = value;
  if (!isObject(sys)) throw new ProtocolError('ERR_HANDSHAKE', 'handshake "sys" must be an object');
  if (user !== undefined && user !== null && !isObject(user)) {
    throw new ProtocolError('ERR_HANDSHAKE', 'handshake "user" must be an object');
  }
  return isObject(user) ? { sys, user } : { sys };
}

/**
 * Pomelo-family clients (pinus, pomelo's JS clients) announce `type`/`version` and no
 * `libVersion`/`platform`; they understand neither zlib bodies nor the error flag.
 */
export function clientFamily(request: HandshakeRequest): ClientFamily {
  const { sys } = request;
  const pitayaKeys = sys.libVersion !== undefined || sys.platform !== undefined;
  return !pitayaKeys && (sys.type !== undefined || sys.version !== undefined) ? 'pomelo' : 'pitaya';
}

export interface HandshakeResponseEncodeOptions {
  /** zlib the reply when that makes it smaller (Pitaya does when compression is on). */
  compress?: boolean;
  zlib?: ZlibCodec;
}

/** The body of the server's Handshake packet: JSON with sorted keys, as Pitaya writes it. */
export function encodeHandshakeResponse(
  response: HandshakeResponse,
  options: HandshakeResponseEncodeOptions = {},
): Uint8Array {
  const json = utf8Encode(sortedJson(response));
  if (!options.compress) return json;
  const zlib = options.zlib ?? fflateZlib;
  const deflated = guardZlib('deflate', () => zlib.deflate(json));
  return deflated.length < json.length ? deflated : json;
}

/** Parses the server's reply, inflating it when it starts like zlib or gzip. */
export function decodeHandshakeResponse(body: Uint8Array, options: { zlib?: ZlibCodec } = {}): HandshakeResponse {
  const zlib = options.zlib ?? fflateZlib;
  const compression = sniffCompression(body);
  const json =
    compression === 'zlib'
      ? guardZlib('inflate', () => zlib.inflate(body, MAX_HANDSHAKE_JSON))
      : compression === 'gzip'
        ? guardZlib('gunzip', () => zlib.gunzip(body, MAX_HANDSHAKE_JSON))
        : body;
  const value = parseJsonObject(json, 'handshake response');
  if (typeof value.code !== 'number')
    throw new ProtocolError('ERR_HANDSHAKE', 'handshake response has no numeric "code"');
  if (value.sys !== undefined && !isObject(value.sys)) {
    throw new ProtocolError('ERR_HANDSHAKE', 'handshake response "sys" must be an object');
  }
  return value as HandshakeResponse;
}

/** Pitaya's reply when nothing is configured: 30 s heartbeat, no dictionary, JSON. */
export function defaultHandshakeResponse(): HandshakeResponse {
  return { code: HANDSHAKE_OK, sys: { dict: {}, heartbeat: 30, serializer: 'json' } };
}

export const handshakeAckPacket = (): Uint8Array => encodePacket(PacketType.HandshakeAck);
export const heartbeatPacket = (): Uint8Array => encodePacket(PacketType.Heartbeat);

/** Pitaya kicks with an empty body; pomelo with `{"reason": ...}`. */
export function kickPacket(reason?: string): Uint8Array {
  return encodePacket(PacketType.Kick, reason === undefined ? undefined : utf8Encode(JSON.stringify({ reason })));
}

/** The reason of a Kick packet, if its body carries one; a kick is a kick whatever its body. */
export function decodeKickReason(body: Uint8Array): string | undefined {
  if (body.length === 0) return undefined;
  try {
    const value = parseJsonObject(body, 'kick');
    return typeof value.reason === 'string' ? value.reason : undefined;
  } catch {
    return undefined;
  }
}
