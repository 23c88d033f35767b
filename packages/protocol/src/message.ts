import { ProtocolError, type ProtocolErrorCode } from './errors';
import { PACKET_HEADER_LENGTH, PacketType, writePacketHeader } from './packet';
import type { RouteDictionary } from './route-dictionary';
import { utf8Decode, utf8Encode } from './utf8';
import { assertMessageId, readVarint, varintLength, writeVarint } from './varint';
import { fflateZlib, guardZlib, type ZlibCodec } from './zlib';

/** Message types of layer 2 (bits 1-3 of the flag). */
export const MessageType = {
  Request: 0,
  Notify: 1,
  Response: 2,
  Push: 3,
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

export interface Message {
  type: MessageType;
  /** Request and Response only; 0 elsewhere. */
  id: number;
  /** Request, Notify and Push only; '' on a Response. */
  route: string;
  body: Uint8Array;
  /** A Response whose body is a serialized error. */
  error: boolean;
}

/**
 * A message whose head was read but whose body could not be inflated (past the limit, or not
 * zlib): the receiver may answer the message rather than drop the connection.
 */
export class MessageBodyError extends ProtocolError {
  constructor(
    code: ProtocolErrorCode,
    message: string,
    readonly head: Pick<Message, 'type' | 'id' | 'route'>,
  ) {
    super(code, message);
  }
}

const FLAG_ROUTE_COMPRESSED = 0x01;
const FLAG_BODY_COMPRESSED = 0x10;
const FLAG_ERROR = 0x20;
const MAX_ROUTE_BYTES = 0xff;

export interface MessageEncodeOptions {
  /** Routes found in it travel as 2-byte codes. */
  dictionary?: RouteDictionary;
  /** zlib the body, and keep the result only when smaller. Never for pomelo-family peers. */
  compress?: boolean;
  zlib?: ZlibCodec;
  /**
   * Where the encoded bytes go. Each `new Uint8Array` is an ArrayBuffer of its own, which costs
   * far more than the encoding of a small message: Node servers pass `Buffer.allocUnsafe`, whose
   * small buffers are views into a shared pool.
   */
  allocate?: (length: number) => Uint8Array;
}

export interface MessageDecodeOptions {
  dictionary?: RouteDictionary;
  /** Largest inflated body accepted. Defaults to the packet ceiling. */
  maxBodySize?: number;
  zlib?: ZlibCodec;
}

/** Whether an encoded message's body is zlibbed (what inflating it costs is known only once done). */
export function isBodyCompressed(bytes: Uint8Array): boolean {
  return ((bytes[0] ?? 0) & FLAG_BODY_COMPRESSED) !== 0;
}

export function hasId(type: MessageType): boolean {
  return type === MessageType.Request || type === MessageType.Response;
}

export function hasRoute(type: MessageType): boolean {
  return type !== MessageType.Response;
}

/** Encodes a message for the body of a Data packet. */
export function encodeMessage(message: Message, options: MessageEncodeOptions = {}): Uint8Array {
  return encodeInto(message, options, 0);
}

/** Encodes a message already framed as a Data packet: one allocation, no copy of the message. */
export function encodeDataPacket(message: Message, options: MessageEncodeOptions = {}): Uint8Array {
  return encodeInto(message, options, PACKET_HEADER_LENGTH);
}

function encodeInto(message: Message, options: MessageEncodeOptions, headerRoom: number): Uint8Array {
  const { type, id, route, error } = message;
  if (!Number.isInteger(type) || type < MessageType.Request || type > MessageType.Push) {
    throw new ProtocolError('ERR_MESSAGE_TYPE', `unknown message type ${String(type)}`);
  }
  let flag = type << 1;
  if (error) flag |= FLAG_ERROR;

  let idLength = 0;
  if (hasId(type)) {
    assertMessageId(id);
    idLength = varintLength(id);
  }

  let routeCode: number | undefined;
  let routeBytes: Uint8Array | undefined;
  let routeLength = 0;
  if (hasRoute(type)) {
    routeCode = options.dictionary?.codeOf(route);
    if (routeCode !== undefined) {
      flag |= FLAG_ROUTE_COMPRESSED;
      routeLength = 2;
    } else {
      routeBytes = utf8Encode(route);
      if (routeBytes.length > MAX_ROUTE_BYTES) {
        throw new ProtocolError(
          'ERR_ROUTE',
          `route is ${routeBytes.length} bytes long, at most ${MAX_ROUTE_BYTES} fit`,
        );
      }
      routeLength = 1 + routeBytes.length;
    }
  }

  let body = message.body;
  if (options.compress && body.length > 0) {
    const zlib = options.zlib ?? fflateZlib;
    const deflated = guardZlib('deflate', () => zlib.deflate(body));
    if (deflated.length < body.length) {
      body = deflated;
      flag |= FLAG_BODY_COMPRESSED;
    }
  }

  const messageLength = 1 + idLength + routeLength + body.length;
  const length = headerRoom + messageLength;
  const out = options.allocate ? options.allocate(length) : new Uint8Array(length);
  if (headerRoom > 0) writePacketHeader(out, 0, PacketType.Data, messageLength);
  let offset = headerRoom;
  out[offset++] = flag;
  if (idLength > 0) offset = writeVarint(out, offset, id);
  if (routeCode !== undefined) {
    out[offset++] = routeCode >>> 8;
    out[offset++] = routeCode & 0xff;
  } else if (routeBytes !== undefined) {
    out[offset++] = routeBytes.length;
    out.set(routeBytes, offset);
    offset += routeBytes.length;
  }
  out.set(body, offset);
  return out;
}

/** Decodes the body of a Data packet. Throws ProtocolError on anything malformed. */
export function decodeMessage(bytes: Uint8Array, options: MessageDecodeOptions = {}): Message {
  // A flag alone is too short: every type carries an id or a route after it.
  if (bytes.length < 2) {
    throw new ProtocolError('ERR_MESSAGE_TRUNCATED', `a message needs at least 2 bytes, got ${bytes.length}`);
  }
  const flag = bytes[0]!;
  const type = (flag >> 1) & 0x07;
  if (type > MessageType.Push) {
    throw new ProtocolError('ERR_MESSAGE_TYPE', `unknown message type ${type}`);
  }
  let offset = 1;
  let id = 0;
  if (hasId(type as MessageType)) {
    // ids below 128 take one byte: no need for the general reader (and its result pair)
    if (bytes[offset]! < 0x80) id = bytes[offset++]!;
    else [id, offset] = readVarint(bytes, offset);
  }

  let route = '';
  if (hasRoute(type as MessageType)) {
    if (flag & FLAG_ROUTE_COMPRESSED) {
      if (offset + 2 > bytes.length) throw new ProtocolError('ERR_MESSAGE_TRUNCATED', 'route code is cut short');
      const code = (bytes[offset]! << 8) | bytes[offset + 1]!;
      offset += 2;
      if (!options.dictionary) throw new ProtocolError('ERR_ROUTE_CODE', `route code ${code} but no route dictionary`);
      route = options.dictionary.routeOf(code);
    } else {
      if (offset >= bytes.length) throw new ProtocolError('ERR_MESSAGE_TRUNCATED', 'route length is missing');
      const length = bytes[offset++]!;
      if (offset + length > bytes.length) throw new ProtocolError('ERR_MESSAGE_TRUNCATED', 'route is cut short');
      route = utf8Decode(bytes.subarray(offset, offset + length), 'ERR_ROUTE', 'route');
      offset += length;
    }
  }

  let body = bytes.subarray(offset);
  if (flag & FLAG_BODY_COMPRESSED) {
    const zlib = options.zlib ?? fflateZlib;
    const limit = options.maxBodySize ?? 0xffffff;
    try {
      body = guardZlib('inflate', () => zlib.inflate(body, limit));
    } catch (err) {
      const { code, message } = err as ProtocolError;
      throw new MessageBodyError(code, message, { type: type as MessageType, id, route });
    }
  }
  return { type: type as MessageType, id, route, body, error: (flag & FLAG_ERROR) !== 0 };
}
