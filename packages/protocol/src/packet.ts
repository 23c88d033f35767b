import { ProtocolError } from './errors';

/** Packet types of layer 1. */
export const PacketType = {
  Handshake: 0x01,
  HandshakeAck: 0x02,
  Heartbeat: 0x03,
  Data: 0x04,
  Kick: 0x05,
} as const;
export type PacketType = (typeof PacketType)[keyof typeof PacketType];

export interface Packet {
  type: PacketType;
  body: Uint8Array;
}

export const PACKET_HEADER_LENGTH = 4;
/** The 3-byte length field's ceiling. */
export const MAX_BODY_LENGTH = 0xffffff;

const EMPTY = new Uint8Array(0);

export function isPacketType(type: number): type is PacketType {
  return type >= PacketType.Handshake && type <= PacketType.Kick;
}

export function assertPacketType(type: number): asserts type is PacketType {
  if (!isPacketType(type)) {
    throw new ProtocolError('ERR_PACKET_TYPE', `unknown packet type 0x${type.toString(16).padStart(2, '0')}`);
  }
}

/** Writes a packet header at `offset` of `target`. */
export function writePacketHeader(target: Uint8Array, offset: number, type: PacketType, bodyLength: number): void {
  if (bodyLength > MAX_BODY_LENGTH) {
    throw new ProtocolError('ERR_PACKET_TOO_LARGE', `packet body of ${bodyLength} bytes exceeds ${MAX_BODY_LENGTH}`);
  }
  target[offset] = type;
  target[offset + 1] = (bodyLength >>> 16) & 0xff;
  target[offset + 2] = (bodyLength >>> 8) & 0xff;
  target[offset + 3] = bodyLength & 0xff;
}

export function readBodyLength(bytes: Uint8Array, offset: number): number {
  return (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!;
}

export function encodePacket(type: PacketType, body: Uint8Array = EMPTY): Uint8Array {
  assertPacketType(type);
  const out = new Uint8Array(PACKET_HEADER_LENGTH + body.length);
  writePacketHeader(out, 0, type, body.length);
  out.set(body, PACKET_HEADER_LENGTH);
  return out;
}

/**
 * Decodes every packet of a buffer that holds whole packets (a WebSocket frame, a test vector).
 * Bodies are views into `bytes`, not copies.
 */
export function decodePackets(bytes: Uint8Array): Packet[] {
  const packets: Packet[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (bytes.length - offset < PACKET_HEADER_LENGTH) {
      throw new ProtocolError('ERR_PACKET_TRUNCATED', `packet header needs 4 bytes, ${bytes.length - offset} left`);
    }
    const type = bytes[offset]!;
    assertPacketType(type);
    const length = readBodyLength(bytes, offset);
    const start = offset + PACKET_HEADER_LENGTH;
    if (start + length > bytes.length) {
      throw new ProtocolError(
        'ERR_PACKET_TRUNCATED',
        `packet body of ${length} bytes, only ${bytes.length - start} present`,
      );
    }
    packets.push({ type, body: bytes.subarray(start, start + length) });
    offset = start + length;
  }
  return packets;
}

/** Decodes a buffer that must hold exactly one packet. */
export function decodePacket(bytes: Uint8Array): Packet {
  const packets = decodePackets(bytes);
  const [packet] = packets;
  if (packets.length !== 1 || packet === undefined) {
    throw new ProtocolError('ERR_PACKET_TRUNCATED', `expected one packet, found ${packets.length}`);
  }
  return packet;
}
