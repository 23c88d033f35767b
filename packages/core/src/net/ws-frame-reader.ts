import { isUtf8 } from 'node:buffer';

/** WebSocket close codes this reader fails a connection with (RFC 6455 §7.4.1). */
export const CloseCode = {
  Normal: 1000,
  ProtocolError: 1002,
  UnsupportedData: 1003,
  /** Received: the peer's close frame had no code (never sent). */
  NoCode: 1005,
  InvalidPayload: 1007,
  TooBig: 1009,
} as const;

/** A frame that breaks RFC 6455: the connection fails with `code`. */
export class WsFrameError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'WsFrameError';
  }
}

/** What a server hears from its client's frames. */
export interface WsFrameHandlers {
  /**
   * Unmasked bytes of a binary message, in order, as they arrive: Pitaya reads its packets from
   * the frames as one stream, so a message's pieces and its frame boundaries mean nothing here.
   */
  onBinary(bytes: Buffer): void;
  /** A text frame: its payload is skipped, the connection is for binary frames. */
  onText(): void;
  onPing(payload: Buffer): void;
  /** The client's close frame: its code (1005 when it gave none) and its reason's bytes. */
  onClose(code: number, reason: Buffer): void;
}

/** Frame opcodes (RFC 6455 §5.2). */
export const Opcode = {
  Continuation: 0x0,
  Text: 0x1,
  Binary: 0x2,
  Close: 0x8,
  Ping: 0x9,
  Pong: 0xa,
} as const;
const MAX_CONTROL_PAYLOAD = 125;
/** Payload lengths travel in 64 bits; past 2^53 they are not exact numbers here. */
const MAX_HIGH_WORD = 2 ** 21 - 1;

/** Whether a close frame may carry this code (RFC 6455 §7.4, as the `ws` package checks it). */
function isValidCloseCode(code: number): boolean {
  return (
    (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999)
  );
}

const protocolError = (message: string) => new WsFrameError(CloseCode.ProtocolError, message);

/**
 * Reads the frames a client sends a server (RFC 6455 §5), incrementally: data is unmasked in place
 * in the socket's own buffers and handed on as it arrives, without waiting for a frame's end and
 * without a copy (a header or a control frame split across reads is the only thing gathered).
 * Throws a WsFrameError for what the RFC says must fail the connection; after one it reads no more.
 */
export class WsFrameReader {
  /**
   * A header split across reads, gathered (2 + 8 bytes of length + 4 of mask at most); made the
   * first time one is, as idle connections are many.
   */
  private header: Buffer | undefined;
  private headerBytes = 0;
  /** Reading a frame's payload (else its header). */
  private inPayload = false;
  private opcode = 0;
  /** Payload bytes of the current frame still to come. */
  private remaining = 0;
  /** The mask key, and where in it the next payload byte is. */
  private mask0 = 0;
  private mask1 = 0;
  private mask2 = 0;
  private mask3 = 0;
  private maskAt = 0;
  /** The opcode of the fragmented message in progress (text or binary); 0 when none is. */
  private message = 0;
  /** A control frame's payload, gathered when it comes in pieces. */
  private control: Buffer | undefined;
  private controlBytes = 0;
  private failed = false;

  constructor(private readonly handlers: WsFrameHandlers) {}

  /** A frame broke the protocol: nothing after it can be read. */
  get unreadable(): boolean {
    return this.failed;
  }

  /** Reads a chunk from the socket (which it unmasks in place). */
  push(chunk: Buffer): void {
    if (this.failed) return;
    try {
      let at = 0;
      while (at < chunk.length) {
        at = this.inPayload ? this.readPayload(chunk, at) : this.readHeader(chunk, at);
      }
    } catch (err) {
      this.failed = true;
      throw err;
    }
  }

  /** Reads a header from `at`; returns where the chunk's unread bytes start. */
  private readHeader(chunk: Buffer, at: number): number {
    const available = chunk.length - at;
    // the usual case: the whole header in this chunk, read where it is
    if (this.headerBytes === 0 && available >= 2) {
      const size = headerSize(chunk[at + 1]!);
      if (available >= size) {
        this.startFrame(chunk, at);
        return at + size;
      }
    }
    // gathered: first the two bytes that tell the header's size, then the rest of it
    const header = (this.header ??= Buffer.alloc(14));
    const wanted = this.headerBytes < 2 ? 2 : headerSize(header[1]!);
    const taken = Math.min(wanted - this.headerBytes, available);
    chunk.copy(header, this.headerBytes, at, at + taken);
    this.headerBytes += taken;
    if (this.headerBytes === wanted && (wanted > 2 || headerSize(header[1]!) === 2)) {
      this.headerBytes = 0;
      this.startFrame(header, 0);
    }
    return at + taken;
  }

  /** Checks a complete header at `at` and starts reading its frame's payload. */
  private startFrame(bytes: Buffer, at: number): void {
    const first = bytes[at]!;
    const second = bytes[at + 1]!;
    // no extension is negotiated: every RSV bit stays clear
    if ((first & 0x70) !== 0) throw protocolError('RSV1, RSV2 and RSV3 must be clear');
    if ((second & 0x80) === 0) throw protocolError('MASK must be set on frames from a client');
    const fin = (first & 0x80) !== 0;
    let opcode = first & 0x0f;
    let length = second & 0x7f;
    let offset = at + 2;
    if (length === 126) {
      length = bytes.readUInt16BE(offset);
      offset += 2;
    } else if (length === 127) {
      const high = bytes.readUInt32BE(offset);
      if (high > MAX_HIGH_WORD) throw new WsFrameError(CloseCode.TooBig, 'payload length > 2^53 - 1');
      length = high * 2 ** 32 + bytes.readUInt32BE(offset + 4);
      offset += 8;
    }
    if (opcode === Opcode.Continuation) {
      if (this.message === 0) throw protocolError('a continuation frame with no message to continue');
      opcode = this.message;
      if (fin) this.message = 0;
    } else if (opcode === Opcode.Text || opcode === Opcode.Binary) {
      if (this.message !== 0) throw protocolError(`opcode ${opcode} inside a fragmented message`);
      if (!fin) this.message = opcode;
    } else if (opcode === Opcode.Close || opcode === Opcode.Ping || opcode === Opcode.Pong) {
      if (!fin) throw protocolError('a control frame must not be fragmented');
      if (length > MAX_CONTROL_PAYLOAD) throw protocolError(`a control frame of ${length} bytes (125 at most)`);
      if (opcode === Opcode.Close && length === 1) throw protocolError('a close frame of 1 byte');
    } else {
      throw protocolError(`invalid opcode ${opcode}`);
    }
    this.mask0 = bytes[offset]!;
    this.mask1 = bytes[offset + 1]!;
    this.mask2 = bytes[offset + 2]!;
    this.mask3 = bytes[offset + 3]!;
    this.maskAt = 0;
    this.opcode = opcode;
    this.remaining = length;
    // the first frame of a text message says so now: its bytes will be skipped
    if (opcode === Opcode.Text && (first & 0x0f) === Opcode.Text) this.handlers.onText();
    if (length === 0) this.endFrame(EMPTY);
    else this.inPayload = true;
  }

  /** Reads payload from `at`; returns where the chunk's unread bytes start. */
  private readPayload(chunk: Buffer, at: number): number {
    const end = Math.min(chunk.length, at + this.remaining);
    this.unmask(chunk, at, end);
    this.remaining -= end - at;
    const piece = chunk.subarray(at, end);
    if (this.opcode === Opcode.Binary) this.handlers.onBinary(piece);
    else if (this.opcode !== Opcode.Text) this.gatherControl(piece);
    if (this.remaining === 0) {
      this.inPayload = false;
      if (this.opcode >= Opcode.Close) this.endFrame(this.takeControl());
    }
    return end;
  }

  /** XORs bytes [start, end) with the mask key, four at a time once aligned with it. */
  private unmask(bytes: Buffer, start: number, end: number): void {
    const { mask0, mask1, mask2, mask3 } = this;
    let i = start;
    let at = this.maskAt;
    // (the bytes are there: i < end <= length)
    for (; at !== 0 && i < end; i++, at = (at + 1) & 3)
      bytes[i] = bytes[i]! ^ (at === 1 ? mask1 : at === 2 ? mask2 : mask3);
    for (const whole = end - ((end - i) & 3); i < whole; i += 4) {
      bytes[i] = bytes[i]! ^ mask0;
      bytes[i + 1] = bytes[i + 1]! ^ mask1;
      bytes[i + 2] = bytes[i + 2]! ^ mask2;
      bytes[i + 3] = bytes[i + 3]! ^ mask3;
    }
    for (; i < end; i++, at++) bytes[i] = bytes[i]! ^ (at === 0 ? mask0 : at === 1 ? mask1 : mask2);
    this.maskAt = at & 3;
  }

  private gatherControl(piece: Buffer): void {
    // a control frame in one piece (the usual case) is used where it is
    if (this.controlBytes === 0 && this.remaining === 0) {
      this.control = piece;
      this.controlBytes = piece.length;
      return;
    }
    if (this.controlBytes === 0) this.control = Buffer.alloc(piece.length + this.remaining);
    piece.copy(this.control!, this.controlBytes);
    this.controlBytes += piece.length;
  }

  private takeControl(): Buffer {
    const payload = this.control ?? EMPTY;
    this.control = undefined;
    this.controlBytes = 0;
    return payload;
  }

  /** A whole control frame is read: acts on it (data frames need nothing at their end). */
  private endFrame(payload: Buffer): void {
    if (this.opcode === Opcode.Ping) return this.handlers.onPing(payload);
    if (this.opcode !== Opcode.Close) return; // a pong, or the end of a data frame
    if (payload.length === 0) return this.handlers.onClose(CloseCode.NoCode, EMPTY);
    const code = payload.readUInt16BE(0);
    if (!isValidCloseCode(code)) throw protocolError(`invalid close code ${code}`);
    const reason = payload.subarray(2);
    if (!isUtf8(reason)) throw new WsFrameError(CloseCode.InvalidPayload, 'a close reason that is not UTF-8');
    this.handlers.onClose(code, reason);
  }
}

const EMPTY = Buffer.alloc(0);

/** The size of a client frame's header, from its second byte: length, extended length, mask. */
function headerSize(second: number): number {
  const length = second & 0x7f;
  return (length < 126 ? 2 : length === 126 ? 4 : 10) + ((second & 0x80) !== 0 ? 4 : 0);
}
