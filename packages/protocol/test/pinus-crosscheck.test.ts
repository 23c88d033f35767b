import fc from 'fast-check';
import { Message as PinusMessage, Package as PinusPackage } from 'pinus-protocol';
import {
  decodeMessage,
  decodePackets,
  encodeMessage,
  encodePacket,
  MessageType,
  RouteDictionary,
  type Message,
  type PacketType,
} from '@pitaya-ts/protocol';

// pinus-protocol is an independent codec of the same framing. It reads ids with 32-bit shifts and
// knows route codes but not dictionaries, so ids stay below 2^28 and codes are mapped here.
const routeArb = fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 40 });
const bodyArb = fc.uint8Array({ maxLength: 200 });
const messageArb: fc.Arbitrary<Message> = fc
  .record({
    type: fc.constantFrom(MessageType.Request, MessageType.Notify, MessageType.Response, MessageType.Push),
    id: fc.nat(2 ** 28 - 1),
    route: routeArb,
    body: bodyArb,
  })
  .map((m) => ({
    ...m,
    id: m.type === MessageType.Request || m.type === MessageType.Response ? m.id : 0,
    route: m.type === MessageType.Response ? '' : m.route,
    error: false,
  }));

const hexOf = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('cross-check against pinus-protocol', () => {
  it('pinus decodes the packets we encode', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.uint8Array({ minLength: 1, maxLength: 300 }), (type, body) => {
        const decoded = PinusPackage.decode(Buffer.from(encodePacket(type as PacketType, body))) as {
          type: number;
          body: Buffer;
        };
        expect(decoded.type).toBe(type);
        expect(hexOf(decoded.body)).toBe(hexOf(body));
      }),
    );
  });

  it('we decode the packets pinus encodes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.uint8Array({ maxLength: 300 }), (type, body) => {
        const [packet, ...rest] = decodePackets(PinusPackage.encode(type, Buffer.from(body)));
        expect(rest).toEqual([]);
        expect(packet!.type).toBe(type);
        expect(hexOf(packet!.body)).toBe(hexOf(body));
      }),
    );
  });

  it('pinus decodes the messages we encode, routes plain and compressed', () => {
    fc.assert(
      fc.property(messageArb, fc.boolean(), (message, compressRoute) => {
        const dictionary = compressRoute ? new RouteDictionary({ [message.route]: 300 }) : undefined;
        const decoded = PinusMessage.decode(Buffer.from(encodeMessage(message, { dictionary })));
        expect(decoded.type).toBe(message.type);
        expect(decoded.id).toBe(message.id);
        if (message.type !== MessageType.Response) {
          expect(decoded.route).toBe(compressRoute ? 300 : message.route);
        }
        expect(hexOf(decoded.body)).toBe(hexOf(message.body));
      }),
    );
  });

  it('we decode the messages pinus encodes, routes plain and compressed', () => {
    fc.assert(
      fc.property(messageArb, fc.boolean(), (message, compressRoute) => {
        const hasRoute = message.type !== MessageType.Response;
        const useCode = compressRoute && hasRoute;
        const dictionary = new RouteDictionary({ [message.route || 'unused']: 300 });
        const bytes = PinusMessage.encode(
          message.id,
          message.type,
          useCode,
          useCode ? 300 : message.route,
          Buffer.from(message.body),
        );
        const decoded = decodeMessage(bytes, { dictionary });
        expect({ ...decoded, body: hexOf(decoded.body) }).toEqual({ ...message, body: hexOf(message.body) });
      }),
    );
  });

  it('agrees with pinus on the body-compressed flag bit', () => {
    const body = Buffer.from(JSON.stringify({ list: new Array(30).fill('abc') }));
    const ours = encodeMessage({ type: MessageType.Push, id: 0, route: 'r', body, error: false }, { compress: true });
    expect(PinusMessage.decode(Buffer.from(ours)).compressGzip).toBe(1);
  });
});
