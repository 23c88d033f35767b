import { randomBytes } from 'node:crypto';
import { Opcode, WsFrameError, WsFrameReader, type WsFrameHandlers } from '../src/net/ws-frame-reader';
import { clientFrame as frame } from './helpers';

/** What the reader reported, in order. */
class Heard implements WsFrameHandlers {
  binary: Buffer[] = [];
  events: string[] = [];

  onBinary(bytes: Buffer): void {
    // a copy: the reader hands out views of the chunk
    this.binary.push(Buffer.from(bytes));
  }

  onText(): void {
    this.events.push('text');
  }

  onPing(payload: Buffer): void {
    this.events.push(`ping ${payload.toString()}`);
  }

  onClose(code: number, reason: Buffer): void {
    this.events.push(`close ${code} ${reason.toString()}`);
  }

  get bytes(): Buffer {
    return Buffer.concat(this.binary);
  }
}

/** A frame written byte by byte, to break the rules: a 4-byte zero mask unless `masked` is false. */
function rawFrame(first: number, length: number, payload = Buffer.alloc(0), masked = true, extended?: Buffer): Buffer {
  const head = Buffer.from([first, (masked ? 0x80 : 0) | length]);
  return Buffer.concat([head, extended ?? Buffer.alloc(0), masked ? Buffer.alloc(4) : Buffer.alloc(0), payload]);
}

function read(...chunks: Buffer[]): Heard {
  const heard = new Heard();
  const reader = new WsFrameReader(heard);
  for (const chunk of chunks) reader.push(Buffer.from(chunk)); // a copy: the reader unmasks in place
  return heard;
}

function failure(...chunks: Buffer[]): { code: number; message: string } {
  const reader = new WsFrameReader(new Heard());
  try {
    for (const chunk of chunks) reader.push(Buffer.from(chunk));
  } catch (err) {
    expect(err).toBeInstanceOf(WsFrameError);
    expect(reader.unreadable).toBe(true);
    return { code: (err as WsFrameError).code, message: (err as WsFrameError).message };
  }
  throw new Error('the frames were read without an error');
}

describe('WsFrameReader', () => {
  it('unmasks binary frames of every length class (7-bit, 16-bit, 64-bit lengths)', () => {
    for (const size of [0, 1, 3, 4, 5, 125, 126, 127, 1000, 65_535, 65_536, 70_001]) {
      const payload = randomBytes(size);
      expect(read(frame(payload)).bytes.equals(payload)).toBe(true);
    }
  });

  it('reads the same bytes whatever the reads split: headers, masks and payloads across chunks', () => {
    const payloads = [randomBytes(7), randomBytes(130), Buffer.from('ping'), randomBytes(1)];
    const stream = Buffer.concat([
      frame(payloads[0]!),
      frame(payloads[1]!),
      frame(payloads[2]!, Opcode.Ping),
      frame(payloads[3]!),
    ]);
    const expected = Buffer.concat([payloads[0]!, payloads[1]!, payloads[3]!]);
    for (let at = 0; at <= stream.length; at++) {
      const heard = read(stream.subarray(0, at), stream.subarray(at));
      expect([at, heard.bytes.equals(expected), heard.events]).toEqual([at, true, ['ping ping']]);
    }
    // and one byte per read
    const bytewise = read(...Array.from(stream, (byte) => Buffer.from([byte])));
    expect(bytewise.bytes.equals(expected)).toBe(true);
    expect(bytewise.events).toEqual(['ping ping']);
  });

  it('reads a fragmented message in order, with control frames between its fragments', () => {
    const heard = read(
      frame('abc', Opcode.Binary, false),
      frame('hello', Opcode.Ping),
      frame('def', Opcode.Continuation, false),
      frame('', Opcode.Pong),
      frame('ghi', Opcode.Continuation, true),
      frame('next'),
    );
    expect(heard.bytes.toString()).toBe('abcdefghinext');
    expect(heard.events).toEqual(['ping hello']);
  });

  it('reports a text message once, fragments included, and hands none of its bytes on', () => {
    const heard = read(frame('not ', Opcode.Text, false), frame('packets', Opcode.Continuation), frame('bin'));
    expect(heard.events).toEqual(['text']);
    expect(heard.bytes.toString()).toBe('bin');
  });

  it("reads the close frame's code and reason; an empty one is 1005", () => {
    const payload = Buffer.concat([Buffer.from([0x0f, 0xa1]), Buffer.from('bye ✓')]);
    expect(read(frame(payload, Opcode.Close)).events).toEqual(['close 4001 bye ✓']);
    expect(read(frame('', Opcode.Close)).events).toEqual(['close 1005 ']);
  });

  it('fails the connection on what RFC 6455 forbids, with its close code, and reads nothing after', () => {
    const cases: [string, Buffer, number][] = [
      ['RSV1', rawFrame(0x80 | 0x40 | Opcode.Binary, 0), 1002],
      ['RSV2', rawFrame(0x80 | 0x20 | Opcode.Binary, 0), 1002],
      ['unmasked', rawFrame(0x80 | Opcode.Binary, 1, Buffer.from('x'), false), 1002],
      ['opcode 3', rawFrame(0x80 | 3, 0), 1002],
      ['opcode 11', rawFrame(0x80 | 11, 0), 1002],
      ['continuation first', rawFrame(0x80 | Opcode.Continuation, 0), 1002],
      ['fragmented ping', rawFrame(Opcode.Ping, 0), 1002],
      ['ping of 126 bytes', rawFrame(0x80 | Opcode.Ping, 126, Buffer.alloc(126), true, Buffer.from([0, 126])), 1002],
      ['close of 1 byte', rawFrame(0x80 | Opcode.Close, 1, Buffer.from([3])), 1002],
      ['close code 1005', rawFrame(0x80 | Opcode.Close, 2, Buffer.from([0x03, 0xed])), 1002],
      ['close code 999', rawFrame(0x80 | Opcode.Close, 2, Buffer.from([0x03, 0xe7])), 1002],
      ['close reason not UTF-8', rawFrame(0x80 | Opcode.Close, 3, Buffer.from([0x03, 0xe8, 0xff])), 1007],
      [
        'length past 2^53',
        rawFrame(0x80 | Opcode.Binary, 127, undefined, true, Buffer.from([0, 0x20, 0, 0, 0, 0, 0, 0])),
        1009,
      ],
    ];
    for (const [name, bytes, code] of cases) expect([name, failure(bytes).code]).toEqual([name, code]);
    // a new message inside a fragmented one
    expect(failure(frame('a', Opcode.Binary, false), frame('b')).message).toMatch(/inside a fragmented message/);
    // after the error, nothing is read
    const heard = new Heard();
    const reader = new WsFrameReader(heard);
    expect(() => reader.push(rawFrame(0x80 | 3, 0))).toThrow(WsFrameError);
    reader.push(frame('after'));
    expect(heard.binary).toEqual([]);
  });
});
