import 'reflect-metadata';
import * as path from 'node:path';
import { IsString, Length } from 'class-validator';
import { loadSync, Root } from 'protobufjs';
import { PitayaError as ClientPitayaError, type PitayaClient } from '@pitaya-ts/client';
import {
  Handler,
  Notify,
  PitayaError,
  Proto,
  ProtobufSerializer,
  type HandlerContext,
  type PitayaApp,
} from '@pitaya-ts/core';
import { Harness, deferred, tcpAcceptor, wsAcceptor } from './helpers';

const PROTO_FILE = path.join(__dirname, 'fixtures', 'game.proto');
const root = loadSync(PROTO_FILE);
const JoinRequest = root.lookupType('game.JoinRequest');
const JoinResponse = root.lookupType('game.JoinResponse');
const GameEvent = root.lookupType('game.Event');
const ProtosError = Root.fromJSON({
  nested: {
    protos: {
      nested: {
        Error: {
          fields: {
            code: { type: 'string', id: 1 },
            msg: { type: 'string', id: 2 },
            metadata: { keyType: 'string', type: 'string', id: 3 } as { type: string; id: number },
          },
        },
      },
    },
  },
}).lookupType('protos.Error');

class JoinDto {
  @IsString()
  @Length(1, 8)
  name!: string;

  level!: number;
}

const notified = { current: deferred<unknown>() };

@Handler()
class RoomHandler {
  @Proto('game.JoinRequest', 'game.JoinResponse')
  async join(body: JoinDto, { session }: HandlerContext) {
    await session.push('onEvent', { text: `${body.name} joined`, important: true });
    return { members: ['ana', body.name], count: body.level, tags: { dto: String(body instanceof JoinDto) } };
  }

  @Proto('game.JoinRequest', 'game.JoinResponse')
  full(): never {
    throw new PitayaError('PIT-555', 'room is full', { room: 'lobby' });
  }

  @Proto('game.JoinRequest', 'game.JoinResponse')
  crash(): never {
    throw new Error('secret internals');
  }

  @Proto('game.JoinRequest', 'game.JoinResponse')
  unencodable(): unknown {
    return { members: 'not a list' };
  }

  @Proto('game.JoinRequest', 'game.JoinResponse')
  empty(body: { name: string; level: number }) {
    // proto3 defaults: an empty body decodes to the zero values
    return { members: [JSON.stringify(body)], count: 0 };
  }

  @Notify()
  @Proto('game.Event')
  announce(body: unknown): void {
    notified.current.resolve(body);
  }
}

const protobuf = {
  requests: {
    'game.room.join': JoinRequest,
    'game.room.full': JoinRequest,
    'game.room.crash': JoinRequest,
    'game.room.unencodable': JoinRequest,
    'game.room.empty': JoinRequest,
    'game.room.announce': GameEvent,
  },
  responses: { 'game.room.join': JoinResponse, 'game.room.empty': JoinResponse },
  pushes: { onEvent: GameEvent },
};

describe.each([
  ['WebSocket', wsAcceptor],
  ['TCP', tcpAcceptor],
])('the protobuf serializer over %s', (_transport, acceptor) => {
  const harness = new Harness();
  let app: PitayaApp;
  let client: PitayaClient;

  beforeEach(async () => {
    app = await harness.server({
      handlers: [RoomHandler],
      acceptors: [acceptor()],
      pushTypes: { onEvent: 'game.Event' },
      config: { 'pitaya.serializer': 'protobuf', 'pitaya.serializer.protobuf.files': [PROTO_FILE] },
    });
    client = await harness.client(app, { protobuf });
    notified.current = deferred();
  });
  afterEach(() => harness.cleanup());

  async function failure(promise: Promise<unknown>): Promise<ClientPitayaError> {
    const error = await promise.then(
      () => new Error('expected an error response'),
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(ClientPitayaError);
    return error as ClientPitayaError;
  }

  it('announces protobuf in the handshake', () => {
    expect(client.serializerName).toBe('protobuf');
    expect(client.handshake?.sys?.serializer).toBe('protobuf');
  });

  it('decodes requests, encodes responses and pushes with the declared types', async () => {
    const pushed = new Promise((resolve) => client.on('onEvent', resolve));
    await expect(client.request('game.room.join', { name: 'bo', level: 3 })).resolves.toEqual({
      members: ['ana', 'bo'],
      count: 3,
      tags: { dto: 'true' },
    });
    await expect(pushed).resolves.toEqual({ text: 'bo joined', important: true });
  });

  it('sends the bytes protobufjs would', async () => {
    const bytes = (await client.request('game.room.join', { name: 'cy', level: 1 }, { raw: true })) as Uint8Array;
    const expected = JoinResponse.encode(
      JoinResponse.fromObject({ members: ['ana', 'cy'], count: 1, tags: { dto: 'true' } }),
    ).finish();
    expect(JoinResponse.toObject(JoinResponse.decode(bytes))).toEqual(
      JoinResponse.toObject(JoinResponse.decode(expected)),
    );
  });

  it('reads an empty body as the default values', async () => {
    await expect(client.request('game.room.empty', {})).resolves.toEqual({
      members: [JSON.stringify({ name: '', level: 0 })],
      count: 0,
      tags: {},
    });
  });

  it('takes notifies with their declared type', async () => {
    client.notify('game.room.announce', { text: 'hello', important: false });
    await expect(notified.current.promise).resolves.toEqual({ text: 'hello', important: false });
  });

  it('sends errors as protos.Error', async () => {
    expect(await failure(client.request('game.room.full', { name: 'x' }))).toMatchObject({
      code: 'PIT-555',
      msg: 'room is full',
      metadata: { room: 'lobby' },
    });
    expect(await failure(client.request('game.room.crash', { name: 'x' }))).toMatchObject({
      code: 'PIT-500',
      msg: 'internal server error',
      metadata: {},
    });
    const notFound = await failure(client.request('game.room.nope', new Uint8Array()));
    expect(notFound).toMatchObject({ code: 'PIT-404', metadata: { route: 'game.room.nope' } });
  });

  it('validates DTO bodies decoded from protobuf', async () => {
    const error = await failure(client.request('game.room.join', { name: 'far too long a name', level: 1 }));
    expect(error.code).toBe('PIT-400');
    expect(Object.keys(error.metadata)).toEqual(['name']);
  });

  it('answers PIT-500 when a result does not fit its response type', async () => {
    const error = await failure(client.request('game.room.unencodable', { name: 'x' }));
    expect(error.code).toBe('PIT-500');
  });

  it('answers PIT-400 for bytes that are not the request type', async () => {
    const error = await failure(client.request('game.room.join', new Uint8Array([0x0a, 0xff, 0xff, 0xff])));
    expect(error.code).toBe('PIT-400');
  });
});

describe('ProtobufSerializer', () => {
  it("encodes errors as Pitaya's protos.Error", () => {
    const serializer = new ProtobufSerializer([PROTO_FILE]);
    const bytes = serializer.marshalError({ code: 'PIT-404', msg: 'route not found', metadata: { route: 'a.b.c' } });
    expect(ProtosError.toObject(ProtosError.decode(bytes))).toEqual({
      code: 'PIT-404',
      msg: 'route not found',
      metadata: { route: 'a.b.c' },
    });
  });

  it('round-trips values through the named types, and needs a type', () => {
    const serializer = new ProtobufSerializer([PROTO_FILE]);
    const bytes = serializer.marshal({ name: 'ana', level: 2 }, 'game.JoinRequest');
    expect(JoinRequest.toObject(JoinRequest.decode(bytes))).toEqual({ name: 'ana', level: 2 });
    expect(serializer.unmarshal(bytes, 'game.JoinRequest')).toEqual({ name: 'ana', level: 2 });
    expect(() => serializer.marshal({ name: 'x' })).toThrow(/@Proto/);
    expect(() => serializer.marshal({ level: 'high' }, 'game.JoinRequest')).toThrow(/level/);
  });
});
