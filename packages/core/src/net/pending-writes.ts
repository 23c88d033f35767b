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
  /** The first packet held; the others, in an array made on the first flush of several (idle connections are many). */
  private first: Uint8Array | undefined;
  private rest: Uint8Array[] | undefined;
  private bytes = 0;
  /** The connection is delivering a read's packets; a flush asked for meanwhile is due at its end. */
  private reading = false;
  private flushDue = false;

  constructor(
    private readonly socket: Socket,
    /** How each packet is framed on this transport (a WebSocket frame); none on TCP. */
    private readonly framing?: { size: FrameHeaderSize; write: FrameHeader },
  ) {}

  /**
   * Holds a packet. True when nothing was held before and no read is being delivered: the caller
   * sees that it gets flushed (a read's end does, see `readEnds`).
   */
  add(packet: Uint8Array): boolean {
    this.bytes += packet.length + (this.framing?.size(packet.length) ?? 0);
    if (this.first === undefined) {
      this.first = packet;
      return !this.reading;
    }
    (this.rest ??= []).push(packet);
    return false;
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
    this.first = undefined;
    if (this.rest) this.rest.length = 0;
    this.bytes = 0;
  }

  /**
   * The connection delivers a read: flushes wait for its end, for its other answers. (An exception
   * out of a delivery leaves this set: it is reset by the next read, and the end of the turn
   * flushes what is held whatever it says.)
   */
  readStarts(): void {
    this.reading = true;
  }

  /**
   * The read is delivered: a flush asked for meanwhile happens now. True as `flush()`. What is
   * still held then (answers still awaited, a push meanwhile) is `holding`: the caller sees that it
   * gets flushed at the end of the turn. (No flush is scheduled for each read: at one request per
   * read, the next event-loop phase it would cost is most of what the answer costs.)
   */
  readEnds(): boolean {
    this.reading = false;
    if (!this.flushDue) return false;
    this.flushDue = false;
    return this.flush();
  }

  /** Packets are held, waiting for a flush. */
  get holding(): boolean {
    return this.first !== undefined;
  }

  /** A flush now, or at the end of the read being delivered. True as `flush()`. */
  flushSoon(): boolean {
    if (!this.reading) return this.flush();
    this.flushDue = true;
    return false;
  }

  /**
   * Writes what is held, in one socket write. True when it was full and the socket took it all:
   * no 'drain' will come then, yet the writers wait for one.
   */
  flush(): boolean {
    const first = this.first;
    if (first === undefined) return false;
    const rest = this.rest;
    const full = this.full;
    let out: Uint8Array;
    if ((rest === undefined || rest.length === 0) && this.framing === undefined) out = first;
    else {
      const buffer = Buffer.allocUnsafe(this.bytes);
      let offset = this.put(buffer, 0, first);
      if (rest) for (const packet of rest) offset = this.put(buffer, offset, packet);
      out = buffer;
    }
    this.first = undefined;
    if (rest) rest.length = 0;
    this.bytes = 0;
    if (!this.socket.writable) return false; // ended or destroyed: its peer reads no more
    this.socket.write(out);
    return full && !this.socket.writableNeedDrain;
  }

  /** Copies a packet, framed, into the write's buffer; returns where the next one goes. */
  private put(buffer: Buffer, offset: number, packet: Uint8Array): number {
    if (this.framing) offset = this.framing.write(buffer, offset, packet.length);
    buffer.set(packet, offset);
    return offset + packet.length;
  }
}
