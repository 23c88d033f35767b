import {
  decodeHandshakeRequest,
  decodeHandshakeResponse,
  decodeMessage,
  decodePacket,
  decodePackets,
  defaultHandshakeResponse,
  encodeHandshakeResponse,
  encodeMessage,
  encodePacket,
  fflateZlib,
  MessageType,
  ProtocolError,
  RouteDictionary,
  type PacketType,
} from '@pitaya-ts/protocol';
import { golden, hex, toHex } from './vectors';

const typeNames: Record<string, MessageType> = {
  request: MessageType.Request,
  notify: MessageType.Notify,
  response: MessageType.Response,
  push: MessageType.Push,
};
const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe('golden packets', () => {
  for (const v of golden.packets) {
    if (v.decodeOnly) {
      it(`decodes ${v.name}`, () => {
        const packets = decodePackets(hex(v.hex));
        expect(packets.map((p) => ({ type: p.type, body: toHex(p.body) }))).toEqual(
          (v.packets ?? []).map((p) => ({ type: p.type, body: toHex(hex(p.body)) })),
        );
      });
      continue;
    }
    it(`encodes ${v.name}`, () => {
      expect(toHex(encodePacket(v.type as PacketType, hex(v.body!)))).toBe(toHex(hex(v.hex)));
    });
    it(`decodes ${v.name}`, () => {
      const packet = decodePacket(hex(v.hex));
      expect(packet.type).toBe(v.type);
      expect(toHex(packet.body)).toBe(toHex(hex(v.body!)));
    });
  }

  for (const v of golden.badPackets) {
    it(`rejects ${v.name}`, () => {
      expect(() => decodePackets(hex(v.hex))).toThrow(expect.objectContaining({ code: 'ERR_PACKET_TYPE' }));
    });
  }
});

describe('golden messages', () => {
  for (const v of golden.messages) {
    const dictionary = v.dict ? new RouteDictionary(v.dict) : undefined;
    const expected = {
      type: typeNames[v.type]!,
      id: v.id ?? 0,
      route: v.route ?? '',
      body: hex(v.body),
      error: v.error ?? false,
    };
    it(`encodes ${v.name}`, () => {
      expect(toHex(encodeMessage(expected, { dictionary }))).toBe(toHex(hex(v.hex)));
    });
    it(`decodes ${v.name}`, () => {
      const decoded = decodeMessage(hex(v.hex), { dictionary });
      expect({ ...decoded, body: toHex(decoded.body) }).toEqual({ ...expected, body: toHex(expected.body) });
    });
  }

  for (const v of golden.badMessages) {
    it(`rejects ${v.name}`, () => {
      expect(() => decodeMessage(hex(v.hex))).toThrow(ProtocolError);
    });
  }
});

describe('golden zlib', () => {
  for (const v of golden.zlib) {
    it(`inflates ${v.name}`, () => {
      expect(text(fflateZlib.inflate(hex(v.hex), 1024))).toBe(v.plain);
    });
    it(`decodes a message whose body is ${v.name}`, () => {
      // flag: Push | body compressed; route "a"
      const bytes = new Uint8Array([0x16, 0x01, 0x61, ...hex(v.hex)]);
      expect(text(decodeMessage(bytes).body)).toBe(v.plain);
    });
  }
});

describe('golden handshake', () => {
  it("writes Pitaya's default reply byte for byte", () => {
    expect(text(encodeHandshakeResponse(defaultHandshakeResponse()))).toBe(golden.handshake.defaultServerResponseJson);
  });

  it('keeps keys sorted whatever order they were given in', () => {
    const reply = { sys: { serializer: 'json', heartbeat: 30, dict: {} }, code: 200 };
    expect(text(encodeHandshakeResponse(reply))).toBe(golden.handshake.defaultServerResponseJson);
  });

  it('parses the default reply, plain and zlib-compressed', () => {
    const plain = new TextEncoder().encode(golden.handshake.defaultServerResponseJson);
    expect(decodeHandshakeResponse(plain)).toEqual(defaultHandshakeResponse());
    expect(decodeHandshakeResponse(fflateZlib.deflate(plain))).toEqual(defaultHandshakeResponse());
  });

  it("parses a libpitaya client's request", () => {
    const request = decodeHandshakeRequest(new TextEncoder().encode(golden.handshake.clientRequestJson));
    expect(request).toEqual(JSON.parse(golden.handshake.clientRequestJson));
  });
});
