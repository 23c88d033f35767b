import type { Socket } from 'node:net';

/** Writes the frame header of a `length`-byte packet at `offset`; returns where the packet goes. */
export type FrameHeader = (target: Buffer, offset: number, length: number) => number;

/** The bytes a FrameHeader takes for a packet of `length` bytes. */
export type FrameHeaderSize = (length: number) => number;

/**
 * A connection's packets not yet sent: they leave together in one socket write when the
 * connection flushes (its reads are answered) or at the end of the turn. One buffer and one plain
 * write, rather than Node's cork, writev and a request object per packet.
 */
export class PendingWrites {
  private readonly packets: Uint8Array[] = [];
  private bytes = 0;

  constructor(
    private readonly socket: Socket,
    /** How each packet is framed on this transport (a WebSocket frame); none on TCP. */
    private readonly framing?: { size: FrameHeaderSize; write: FrameHeader },
  ) {}

  /** Holds a packet. True when nothing was held before: the caller sees that it gets flushed. */
  add(packet: Uint8Array): boolean {
    this.bytes += packet.length + (this.framing?.size(packet.length) ?? 0);
    return this.packets.push(packet) === 1;
  }

  /**
   * Held as much as the socket buffers before it asks its writers to wait: the connection asks
   * them to wait too (as a corked socket would), and tells them when the flush has made room.
   */
  get full(): boolean {
    return this.bytes >= this.socket.writableHighWaterMark;
  }

  /** Forgets what is held: the connection is closing, and its peer will not read it. */
  discard(): void {
    this.packets.length = 0;
    this.bytes = 0;
  }

  /**
   * Writes what is held, in one socket write. True when it was full and the socket took it all:
   * no 'drain' will come then, yet the writers wait for one.
   */
  flush(): boolean {
    const packets = this.packets;
    const count = packets.length;
    if (count === 0) return false;
    const full = this.full;
    const only = packets[0];
    let out: Uint8Array;
    if (count === 1 && only !== undefined && this.framing === undefined) out = only;
    else {
      const buffer = Buffer.allocUnsafe(this.bytes);
      let offset = 0;
      for (const packet of packets) {
        if (this.framing) offset = this.framing.write(buffer, offset, packet.length);
        buffer.set(packet, offset);
        offset += packet.length;
      }
      out = buffer;
    }
    packets.length = 0;
    this.bytes = 0;
    if (this.socket.destroyed) return false;
    this.socket.write(out);
    return full && !this.socket.writableNeedDrain;
  }
}
