import fc from 'fast-check';
import {
  decodeHandshakeRequest,
  decodeHandshakeResponse,
  decodeMessage,
  decodePackets,
  encodeDataPacket,
  encodeMessage,
  encodePacket,
  MAX_MESSAGE_ID,
  MessageType,
  PacketStreamDecoder,
  ProtocolError,
  RouteDictionary,
  type Message,
  type PacketType,
} from '@pitaya-ts/protocol';

const routeArb = fc
  .string({ unit: 'grapheme', maxLength: 60 })
  .filter((r) => new TextEncoder().encode(r).length <= 255);
const bodyArb = fc.uint8Array({ maxLength: 300 });

const messageArb: fc.Arbitrary<Message> = fc
  .record({
    type: fc.constantFrom(MessageType.Request, MessageType.Notify, MessageType.Response, MessageType.Push),
    id: fc.oneof(fc.nat(200), fc.maxSafeNat()),
    route: routeArb,
    body: bodyArb,
    error: fc.boolean(),
  })
  .map((m) => ({
    ...m,
    id: m.type === MessageType.Request || m.type === MessageType.Response ? m.id : 0,
    route: m.type === MessageType.Response ? '' : m.route,
  }));

/** Anything the codec throws on bad input must be its own error. */
function onlyProtocolErrors(run: () => unknown): void {
  try {
    run();
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err;
  }
}

describe('round trips', () => {
  it('decodeMessage(encodeMessage(m)) = m, with and without dictionary and compression', () => {
    fc.assert(
      fc.property(messageArb, fc.boolean(), fc.boolean(), (message, useDict, compress) => {
        const dictionary = useDict ? RouteDictionary.fromRoutes([message.route, 'other.route']) : undefined;
        const decoded = decodeMessage(encodeMessage(message, { dictionary, compress }), { dictionary });
        expect(decoded).toEqual(message);
      }),
      { numRuns: 2000 },
    );
  });

  it('a message encoded into memory it was given (not zeroed) is byte for byte the one encoded into fresh memory', () => {
    // what a Node server does with Buffer.allocUnsafe: every byte of the space must be written
    const dirty = (length: number) => new Uint8Array(length).fill(0xa5);
    fc.assert(
      fc.property(messageArb, fc.boolean(), fc.boolean(), (message, useDict, compress) => {
        const dictionary = useDict ? RouteDictionary.fromRoutes([message.route, 'other.route']) : undefined;
        const options = { dictionary, compress };
        expect(encodeDataPacket(message, { ...options, allocate: dirty })).toEqual(encodeDataPacket(message, options));
        expect(encodeMessage(message, { ...options, allocate: dirty })).toEqual(encodeMessage(message, options));
      }),
      { numRuns: 1000 },
    );
  });

  it('decodePackets(encodePacket(...)) restores type and body, however many are concatenated', () => {
    const packetArb = fc.record({ type: fc.integer({ min: 1, max: 5 }) as fc.Arbitrary<PacketType>, body: bodyArb });
    fc.assert(
      fc.property(fc.array(packetArb, { maxLength: 8 }), (packets) => {
        const bytes = Uint8Array.from(packets.flatMap((p) => [...encodePacket(p.type, p.body)]));
        expect(decodePackets(bytes)).toEqual(packets);
      }),
    );
  });

  it('the stream decoder yields the same packets however the stream is cut', () => {
    const packetArb = fc.record({ type: fc.integer({ min: 1, max: 5 }) as fc.Arbitrary<PacketType>, body: bodyArb });
    fc.assert(
      fc.property(fc.array(packetArb, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 20 }), (packets, cuts) => {
        const bytes = Uint8Array.from(packets.flatMap((p) => [...encodePacket(p.type, p.body)]));
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const decoder = new PacketStreamDecoder();
        const out = [];
        let last = 0;
        for (const point of [...points, bytes.length]) {
          // copy each piece: a socket hands out fresh buffers, and bodies must not alias later reads
          out.push(...decoder.push(bytes.slice(last, point)));
          last = point;
        }
        expect(out).toEqual(packets);
        expect(decoder.pending).toBe(0);
      }),
    );
  });
});

describe('random bytes raise nothing but ProtocolError', () => {
  const dictionary = new RouteDictionary({ 'a.b.c': 1 });
  it('decodeMessage', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) =>
        onlyProtocolErrors(() => decodeMessage(bytes, { dictionary })),
      ),
      { numRuns: 5000 },
    );
  });

  it('decodeMessage with the body-compressed flag set', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) =>
        onlyProtocolErrors(() => decodeMessage(Uint8Array.from([0x16, 0x01, 0x61, ...bytes]))),
      ),
      { numRuns: 3000 },
    );
  });

  it('decodePackets and the stream decoder', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        onlyProtocolErrors(() => decodePackets(bytes));
        onlyProtocolErrors(() => new PacketStreamDecoder({ maxPacketSize: 32 }).push(bytes));
      }),
      { numRuns: 5000 },
    );
  });

  it('handshake parsers, on random bytes and on random JSON', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.json(), (bytes, json) => {
        const encoded = new TextEncoder().encode(json);
        for (const input of [
          bytes,
          encoded,
          Uint8Array.from([0x78, 0x9c, ...bytes]),
          Uint8Array.from([0x1f, 0x8b, ...bytes]),
        ]) {
          onlyProtocolErrors(() => decodeHandshakeRequest(input));
          onlyProtocolErrors(() => decodeHandshakeResponse(input));
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('message ids', () => {
  it('round-trips the largest safe id', () => {
    const message: Message = {
      type: MessageType.Request,
      id: MAX_MESSAGE_ID,
      route: 'r',
      body: new Uint8Array(),
      error: false,
    };
    expect(decodeMessage(encodeMessage(message)).id).toBe(MAX_MESSAGE_ID);
  });

  it('rejects a decoded id beyond 2^53-1', () => {
    // 2^53 as LEB128: seven 0x80 bytes then 0x10
    const bytes = Uint8Array.from([0x00, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10, 0x00]);
    expect(() => decodeMessage(bytes)).toThrow(expect.objectContaining({ code: 'ERR_MESSAGE_ID' }));
  });

  it('rejects an id that never ends', () => {
    expect(() => decodeMessage(Uint8Array.from([0x04, 0xff, 0xff, 0xff]))).toThrow(
      expect.objectContaining({ code: 'ERR_MESSAGE_TRUNCATED' }),
    );
    expect(() => decodeMessage(Uint8Array.from([0x04, ...new Array(12).fill(0xff)]))).toThrow(
      expect.objectContaining({ code: 'ERR_MESSAGE_ID' }),
    );
  });

  it('refuses to encode an unsafe or negative id', () => {
    for (const id of [MAX_MESSAGE_ID + 1, -1, 1.5, NaN]) {
      expect(() =>
        encodeMessage({ type: MessageType.Response, id, route: '', body: new Uint8Array(), error: false }),
      ).toThrow(expect.objectContaining({ code: 'ERR_MESSAGE_ID' }));
    }
  });
});
