import { ProtocolError } from './errors';
import {
  assertPacketType,
  MAX_BODY_LENGTH,
  PACKET_HEADER_LENGTH,
  readBodyLength,
  type Packet,
  type PacketType,
} from './packet';

export interface PacketStreamDecoderOptions {
  /** Largest packet accepted, header included. Defaults to the protocol's ceiling. */
  maxPacketSize?: number;
}

/**
 * Cuts a byte stream (TCP) into packets: a read may hold several packets or part of one.
 * A bad type or an oversize length is reported as soon as the header shows it, before the body
 * arrives, and leaves the decoder failed: the stream cannot be resynchronised after a framing error.
 */
export class PacketStreamDecoder {
  private readonly maxPacketSize: number;
  /** A header cut across reads; made when that first happens (many connections never see it). */
  private header: Uint8Array | undefined;
  private headerFill = 0;
  private body: Uint8Array | undefined;
  private bodyFill = 0;
  private type: PacketType = 0x01;
  private failure: ProtocolError | undefined;

  constructor(options: PacketStreamDecoderOptions = {}) {
    this.maxPacketSize = options.maxPacketSize ?? PACKET_HEADER_LENGTH + MAX_BODY_LENGTH;
  }

  /** Bytes held for a packet not yet complete. */
  get pending(): number {
    return this.body ? PACKET_HEADER_LENGTH + this.bodyFill : this.headerFill;
  }

  /** Feeds a chunk and returns the packets it completes. Throws ProtocolError on bad framing. */
  push(chunk: Uint8Array): Packet[] {
    if (this.failure) throw this.failure;
    try {
      return this.consume(chunk);
    } catch (err) {
      this.failure = err as ProtocolError;
      throw err;
    }
  }

  private consume(chunk: Uint8Array): Packet[] {
    const packets: Packet[] = [];
    let offset = 0;
    while (offset < chunk.length) {
      if (this.body === undefined) {
        // Fast path: a whole packet lies in this chunk and nothing is pending; no copy.
        if (this.headerFill === 0 && chunk.length - offset >= PACKET_HEADER_LENGTH) {
          const length = this.readHeader(chunk, offset);
          const start = offset + PACKET_HEADER_LENGTH;
          if (chunk.length - start >= length) {
            packets.push({ type: this.type, body: chunk.subarray(start, start + length) });
            offset = start + length;
            continue;
          }
          this.body = new Uint8Array(length);
          offset = start;
          continue;
        }
        // Garbage is refused at its first byte rather than after a header's worth of it.
        if (this.headerFill === 0) assertPacketType(chunk[offset]!);
        const take = Math.min(PACKET_HEADER_LENGTH - this.headerFill, chunk.length - offset);
        this.header ??= new Uint8Array(PACKET_HEADER_LENGTH);
        this.header.set(chunk.subarray(offset, offset + take), this.headerFill);
        this.headerFill += take;
        offset += take;
        if (this.headerFill < PACKET_HEADER_LENGTH) continue;
        this.body = new Uint8Array(this.readHeader(this.header, 0));
        this.headerFill = 0;
      }
      const take = Math.min(this.body.length - this.bodyFill, chunk.length - offset);
      this.body.set(chunk.subarray(offset, offset + take), this.bodyFill);
      this.bodyFill += take;
      offset += take;
      if (this.bodyFill === this.body.length) {
        packets.push({ type: this.type, body: this.body });
        this.body = undefined;
        this.bodyFill = 0;
      }
    }
    return packets;
  }

  private readHeader(bytes: Uint8Array, offset: number): number {
    const type = bytes[offset]!;
    assertPacketType(type);
    const length = readBodyLength(bytes, offset);
    if (PACKET_HEADER_LENGTH + length > this.maxPacketSize) {
      throw new ProtocolError(
        'ERR_PACKET_TOO_LARGE',
        `packet of ${PACKET_HEADER_LENGTH + length} bytes exceeds the limit of ${this.maxPacketSize}`,
      );
    }
    this.type = type;
    return length;
  }
}
