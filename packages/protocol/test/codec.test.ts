import { zlibSync } from 'fflate';
import {
  clientFamily,
  decodeHandshakeRequest,
  decodeHandshakeResponse,
  decodeKickReason,
  decodeMessage,
  decodePacket,
  encodeDataPacket,
  encodeHandshakeResponse,
  encodeMessage,
  encodePacket,
  kickPacket,
  MessageBodyError,
  MessageType,
  PacketStreamDecoder,
  PacketType,
  RouteDictionary,
  sniffCompression,
  type Message,
} from '@pitaya-ts/protocol';
import { toHex } from './vectors';

const utf8 = (s: string) => new TextEncoder().encode(s);
const push = (route: string, body: Uint8Array): Message => ({
  type: MessageType.Push,
  id: 0,
  route,
  body,
  error: false,
});

describe('PacketStreamDecoder', () => {
  it('holds a packet split across reads, header included, and emits it once complete', () => {
    const packet = encodePacket(PacketType.Data, utf8('hello'));
    const decoder = new PacketStreamDecoder();
    expect(decoder.push(packet.slice(0, 2))).toEqual([]);
    expect(decoder.push(packet.slice(2, 6))).toEqual([]);
    expect(decoder.pending).toBe(6);
    expect(decoder.push(packet.slice(6))).toEqual([{ type: PacketType.Data, body: utf8('hello') }]);
  });

  it('emits an empty-bodied packet as soon as its header is complete', () => {
    const decoder = new PacketStreamDecoder();
    expect(decoder.push(Uint8Array.of(0x03, 0x00))).toEqual([]);
    expect(decoder.push(Uint8Array.of(0x00, 0x00))).toEqual([{ type: PacketType.Heartbeat, body: new Uint8Array() }]);
  });

  it('refuses an oversize packet from its header, before the body arrives', () => {
    const decoder = new PacketStreamDecoder({ maxPacketSize: 100 });
    expect(() => decoder.push(Uint8Array.of(0x04, 0x00, 0x01, 0x00))).toThrow(
      expect.objectContaining({ code: 'ERR_PACKET_TOO_LARGE' }),
    );
  });

  it('accepts a packet of exactly the maximum size', () => {
    const decoder = new PacketStreamDecoder({ maxPacketSize: 104 });
    expect(decoder.push(encodePacket(PacketType.Data, new Uint8Array(100)))).toHaveLength(1);
  });

  it('refuses garbage at its first byte and stays failed', () => {
    const decoder = new PacketStreamDecoder();
    expect(() => decoder.push(Uint8Array.of(0x47))).toThrow(expect.objectContaining({ code: 'ERR_PACKET_TYPE' }));
    expect(() => decoder.push(encodePacket(PacketType.Heartbeat))).toThrow(
      expect.objectContaining({ code: 'ERR_PACKET_TYPE' }),
    );
  });

  it('refuses a bad type that follows good packets in the same read', () => {
    const decoder = new PacketStreamDecoder();
    const bytes = Uint8Array.from([...encodePacket(PacketType.Heartbeat), 0x09, 0, 0, 0]);
    expect(() => decoder.push(bytes)).toThrow(expect.objectContaining({ code: 'ERR_PACKET_TYPE' }));
  });
});

describe('packets', () => {
  it('rejects a truncated packet and trailing bytes', () => {
    expect(() => decodePacket(Uint8Array.of(0x04, 0x00, 0x00, 0x05, 0x01))).toThrow(
      expect.objectContaining({ code: 'ERR_PACKET_TRUNCATED' }),
    );
    expect(() => decodePacket(Uint8Array.of(0x03, 0, 0, 0, 0x03))).toThrow(
      expect.objectContaining({ code: 'ERR_PACKET_TRUNCATED' }),
    );
  });

  it('refuses to encode an unknown type', () => {
    expect(() => encodePacket(9 as PacketType)).toThrow(expect.objectContaining({ code: 'ERR_PACKET_TYPE' }));
  });

  it('encodeDataPacket equals a Data packet around encodeMessage', () => {
    const message = push('room.onMessage', utf8('{"text":"hi"}'));
    expect(toHex(encodeDataPacket(message))).toBe(toHex(encodePacket(PacketType.Data, encodeMessage(message))));
  });
});

describe('routes', () => {
  it('refuses a route longer than 255 bytes', () => {
    expect(() => encodeMessage(push('r'.repeat(256), new Uint8Array()))).toThrow(
      expect.objectContaining({ code: 'ERR_ROUTE' }),
    );
    expect(decodeMessage(encodeMessage(push('r'.repeat(255), new Uint8Array()))).route).toHaveLength(255);
  });

  it('rejects an unknown route code, and a code without a dictionary', () => {
    const dictionary = new RouteDictionary({ 'a.b.c': 7 });
    expect(() => decodeMessage(Uint8Array.of(0x07, 0x00, 0x08), { dictionary })).toThrow(
      expect.objectContaining({ code: 'ERR_ROUTE_CODE' }),
    );
    expect(() => decodeMessage(Uint8Array.of(0x07, 0x00, 0x07))).toThrow(
      expect.objectContaining({ code: 'ERR_ROUTE_CODE' }),
    );
    expect(decodeMessage(Uint8Array.of(0x07, 0x00, 0x07), { dictionary }).route).toBe('a.b.c');
  });

  it('rejects a route that is not UTF-8 and a route cut short', () => {
    expect(() => decodeMessage(Uint8Array.of(0x06, 0x01, 0xff))).toThrow(
      expect.objectContaining({ code: 'ERR_ROUTE' }),
    );
    expect(() => decodeMessage(Uint8Array.of(0x06, 0x05, 0x61))).toThrow(
      expect.objectContaining({ code: 'ERR_MESSAGE_TRUNCATED' }),
    );
  });

  it('numbers routes from 1 and refuses codes that collide or overflow', () => {
    expect(RouteDictionary.fromRoutes(['a', 'b', 'a']).toJSON()).toEqual({ a: 1, b: 2 });
    expect(() => new RouteDictionary({ a: 1, b: 1 })).toThrow(RangeError);
    expect(() => new RouteDictionary({ a: 70000 })).toThrow(RangeError);
  });
});

describe('body compression', () => {
  const repetitive = utf8(JSON.stringify({ members: new Array(50).fill('someone') }));

  it('compresses only when asked', () => {
    expect(encodeMessage(push('r', repetitive))[0]! & 0x10).toBe(0);
    expect(encodeMessage(push('r', repetitive), { compress: true })[0]! & 0x10).toBe(0x10);
  });

  it('keeps the plain body when zlib would not make it smaller', () => {
    const encoded = encodeMessage(push('r', utf8('{"a":1}')), { compress: true });
    expect(encoded[0]! & 0x10).toBe(0);
    expect(decodeMessage(encoded).body).toEqual(utf8('{"a":1}'));
  });

  it('inflates whenever the flag is set, and stops a decompression bomb at the limit', () => {
    const bomb = zlibSync(new Uint8Array(50_000_000));
    const bytes = Uint8Array.from([0x16, 0x01, 0x61, ...bomb]);
    expect(bomb.length).toBeLessThan(100_000);
    expect(() => decodeMessage(bytes, { maxBodySize: 1_000_000 })).toThrow(
      expect.objectContaining({ code: 'ERR_BODY_TOO_LARGE' }),
    );
  });

  it('rejects a corrupt or truncated zlib body', () => {
    const good = zlibSync(utf8('hello hello hello'));
    expect(() => decodeMessage(Uint8Array.from([0x16, 0x01, 0x61, ...good.slice(0, 6)]))).toThrow(
      expect.objectContaining({ code: 'ERR_ZLIB' }),
    );
  });

  it('names the message whose body it cannot inflate, for an answer', () => {
    // a Request (flag 0x10 | 0 << 1), id 300, route "a.b"
    const bytes = Uint8Array.from([0x10, 0xac, 0x02, 3, 0x61, 0x2e, 0x62, 1, 2, 3]);
    expect(() => decodeMessage(bytes)).toThrow(
      expect.objectContaining({
        constructor: MessageBodyError,
        code: 'ERR_ZLIB',
        head: { type: MessageType.Request, id: 300, route: 'a.b' },
      }),
    );
  });
});

describe('handshake', () => {
  it('tells pomelo-family clients from Pitaya ones', () => {
    const pomelo = decodeHandshakeRequest(utf8('{"sys":{"type":"js-websocket","version":"0.0.1"},"user":{}}'));
    const pitaya = decodeHandshakeRequest(utf8('{"sys":{"platform":"mac","libVersion":"0.3.5-release"}}'));
    expect(clientFamily(pomelo)).toBe('pomelo');
    expect(clientFamily(pitaya)).toBe('pitaya');
    expect(clientFamily(decodeHandshakeRequest(utf8('{}')))).toBe('pitaya');
  });

  it('refuses a request that is not a JSON object or has a bad sys/user', () => {
    for (const body of ['', 'null', '[1]', '{"sys":3}', '{"sys":{},"user":"x"}']) {
      expect(() => decodeHandshakeRequest(utf8(body))).toThrow(expect.objectContaining({ code: 'ERR_HANDSHAKE' }));
    }
  });

  it("writes libpitaya's useDict and the dictionary, and zlibs the reply only when smaller", () => {
    const dict = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`room.room.route${i}`, i + 1]));
    const reply = { code: 200, sys: { heartbeat: 0.5, dict, serializer: 'protobuf', useDict: true } };
    const compressed = encodeHandshakeResponse(reply, { compress: true });
    expect(sniffCompression(compressed)).toBe('zlib');
    expect(decodeHandshakeResponse(compressed)).toEqual(reply);

    const small = { code: 200, sys: { heartbeat: 30 } };
    expect(sniffCompression(encodeHandshakeResponse(small, { compress: true }))).toBeUndefined();
  });

  it('refuses a reply without a numeric code', () => {
    expect(() => decodeHandshakeResponse(utf8('{"sys":{}}'))).toThrow(
      expect.objectContaining({ code: 'ERR_HANDSHAKE' }),
    );
  });

  it("reads pomelo's kick reason and Pitaya's empty kick", () => {
    const pomeloKick = decodePacket(kickPacket('server shutting down'));
    expect(pomeloKick.type).toBe(PacketType.Kick);
    expect(decodeKickReason(pomeloKick.body)).toBe('server shutting down');
    expect(toHex(kickPacket())).toBe('05 00 00 00');
    expect(decodeKickReason(new Uint8Array())).toBeUndefined();
    expect(decodeKickReason(utf8('garbage'))).toBeUndefined();
  });
});
