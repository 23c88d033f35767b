import 'reflect-metadata';
import { inflateSync } from 'node:zlib';
import {
  decodeMessage,
  encodeDataPacket,
  MessageType,
  RouteDictionary,
  type Message,
  type Packet,
} from '@pitaya-ts/protocol';
import { Handler, type HandlerContext, type PitayaApp } from '@pitaya-ts/core';
import { Harness, RawClient, tcpAcceptor, waitFor } from './helpers';

const harness = new Harness();
afterEach(() => harness.cleanup());
afterEach(() => RawClient.destroyAll());

const FLAG_ROUTE_COMPRESSED = 0x01;
const FLAG_BODY_COMPRESSED = 0x10;
const FLAG_ERROR = 0x20;
const LARGE = { text: 'all work and no play '.repeat(40) };

@Handler()
class RoomHandler {
  large(): unknown {
    return LARGE;
  }

  small(): unknown {
    return { ok: true };
  }

  crash(): never {
    throw new Error('connection string postgres://admin:secret@db');
  }

  async bind(body: { uid: string }, { session }: HandlerContext): Promise<void> {
    await session.bind(body.uid);
  }
}

const encoder = new TextEncoder();
const json = (bytes: Uint8Array): unknown => JSON.parse(new TextDecoder().decode(bytes));

function request(route: string, id: number, body: unknown = {}, dictionary?: RouteDictionary): Uint8Array {
  return encodeDataPacket(
    { type: MessageType.Request, id, route, body: encoder.encode(JSON.stringify(body)), error: false },
    { dictionary },
  );
}

/** The flag byte of a Data packet, and its message decoded (inflated when compressed). */
function read(packet: Packet, dictionary?: RouteDictionary): { flag: number; message: Message } {
  const inflate = (data: Uint8Array, max: number) => inflateSync(data, { maxOutputLength: max });
  const zlib = { deflate: () => new Uint8Array(), inflate, gunzip: inflate };
  return { flag: packet.body[0]!, message: decodeMessage(packet.body, { dictionary, zlib }) };
}

async function answer(raw: RawClient, route: string, id: number, body: unknown = {}, dictionary?: RouteDictionary) {
  const before = raw.data().length;
  raw.send(request(route, id, body, dictionary));
  await waitFor(() => raw.data().length > before, `the answer to ${route}`);
  return read(raw.data()[before]!, dictionary);
}

async function server(config: Record<string, unknown> = {}, routeDictionary?: string[]): Promise<PitayaApp> {
  return harness.server({ handlers: [RoomHandler], acceptors: [tcpAcceptor()], config, routeDictionary });
}

describe('body compression', () => {
  it('zlibs large bodies towards Pitaya clients, and leaves small ones alone', async () => {
    const raw = await RawClient.open(await server());
    await raw.handshake();
    const large = await answer(raw, 'game.room.large', 1);
    expect(large.flag & FLAG_BODY_COMPRESSED).toBeTruthy();
    expect(json(large.message.body)).toEqual(LARGE);
    const small = await answer(raw, 'game.room.small', 2);
    expect(small.flag & FLAG_BODY_COMPRESSED).toBeFalsy();
    expect(json(small.message.body)).toEqual({ ok: true });
  });

  it('sends nothing compressed with pitaya.handler.messages.compression off', async () => {
    const raw = await RawClient.open(await server({ 'pitaya.handler.messages.compression': false }));
    await raw.handshake();
    const large = await answer(raw, 'game.room.large', 1);
    expect(large.flag & FLAG_BODY_COMPRESSED).toBeFalsy();
    expect(json(large.message.body)).toEqual(LARGE);
  });

  it('never compresses towards pomelo-family clients', async () => {
    const raw = await RawClient.open(await server());
    await raw.handshake({ type: 'js-websocket', version: '0.0.1' });
    const large = await answer(raw, 'game.room.large', 1);
    expect(large.flag & FLAG_BODY_COMPRESSED).toBeFalsy();
    expect(json(large.message.body)).toEqual(LARGE);
  });

  it('broadcasts to a mix of clients, each in the form it reads, the same content to all', async () => {
    const app = await server();
    const pitaya = await RawClient.open(app);
    await pitaya.handshake();
    const pomelo = await RawClient.open(app);
    await pomelo.handshake({ type: 'js-websocket', version: '0.0.1' });
    await app.groups.create('all');
    for (const [raw, uid] of [
      [pitaya, 'pi'],
      [pomelo, 'po'],
    ] as const) {
      expect((await answer(raw, 'game.room.bind', 1, { uid })).flag & FLAG_ERROR).toBeFalsy();
      await app.groups.addMember('all', uid);
    }
    const counts = [pitaya.data().length, pomelo.data().length];
    await expect(app.groups.broadcast('all', 'onNews', LARGE)).resolves.toEqual([]);
    await waitFor(() => pitaya.data().length > counts[0]! && pomelo.data().length > counts[1]!);
    const toPitaya = read(pitaya.data()[counts[0]!]!);
    const toPomelo = read(pomelo.data()[counts[1]!]!);
    expect(toPitaya.flag & FLAG_BODY_COMPRESSED).toBeTruthy();
    expect(toPomelo.flag & FLAG_BODY_COMPRESSED).toBeFalsy();
    for (const { message } of [toPitaya, toPomelo]) {
      expect(message).toMatchObject({ type: MessageType.Push, route: 'onNews' });
      expect(json(message.body)).toEqual(LARGE);
    }
  });
});

describe('errors on the wire', () => {
  it('flags error responses and carries {code, msg, metadata}', async () => {
    const raw = await RawClient.open(await server());
    await raw.handshake();
    const { flag, message } = await answer(raw, 'game.room.missing', 9);
    expect(flag & FLAG_ERROR).toBeTruthy();
    expect(message.id).toBe(9);
    expect(json(message.body)).toEqual({
      code: 'PIT-404',
      msg: 'route not found: game.room.missing',
      metadata: { route: 'game.room.missing' },
    });
  });

  it('sends exactly {code, msg} for an error the application did not mean to show', async () => {
    const raw = await RawClient.open(await server());
    await raw.handshake();
    const { flag, message } = await answer(raw, 'game.room.crash', 3);
    expect(flag & FLAG_ERROR).toBeTruthy();
    expect(new TextDecoder().decode(message.body)).toBe('{"code":"PIT-500","msg":"internal server error"}');
  });
});

describe('route dictionary', () => {
  const routes = ['game.room.large', 'game.room.small', 'onNews'];

  it('is announced in the handshake, read from requests and used for pushes', async () => {
    const app = await server({}, routes);
    const raw = await RawClient.open(app);
    const reply = await raw.handshake();
    expect(reply.sys?.dict).toEqual({ 'game.room.large': 1, 'game.room.small': 2, onNews: 3 });
    expect(reply.sys?.useDict).toBe(true);
    const dictionary = new RouteDictionary(reply.sys!.dict);

    // a request whose route travels as a 2-byte code
    const packet = request('game.room.small', 1, {}, dictionary);
    expect(packet[4]! & FLAG_ROUTE_COMPRESSED).toBeTruthy();
    const small = await answer(raw, 'game.room.small', 1, {}, dictionary);
    expect(json(small.message.body)).toEqual({ ok: true });

    // pushes of a route in the dictionary carry its code
    const [session] = [...app.sessions.sessions()];
    const before = raw.data().length;
    await session!.push('onNews', { n: 1 });
    await session!.push('onOther', { n: 2 });
    await waitFor(() => raw.data().length === before + 2);
    const [news, other] = raw
      .data()
      .slice(before)
      .map((p) => read(p, dictionary));
    expect(news!.flag & FLAG_ROUTE_COMPRESSED).toBeTruthy();
    expect(news!.message.route).toBe('onNews');
    expect(other!.flag & FLAG_ROUTE_COMPRESSED).toBeFalsy();
    expect(other!.message.route).toBe('onOther');
  });

  it('is not announced when empty', async () => {
    const raw = await RawClient.open(await server());
    const reply = await raw.handshake();
    expect(reply.sys?.dict).toEqual({});
    expect(reply.sys?.useDict).toBeUndefined();
  });
});
