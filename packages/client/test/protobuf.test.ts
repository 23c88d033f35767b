import { Root } from 'protobufjs';
import { connect, PitayaError, type PitayaClient } from '@pitaya-ts/client';
import { ScriptedServer } from './scripted-server';

const root = Root.fromJSON({
  nested: {
    chat: {
      nested: {
        JoinRequest: { fields: { name: { type: 'string', id: 1 } } },
        JoinResponse: {
          fields: { members: { rule: 'repeated', type: 'string', id: 1 }, count: { type: 'int32', id: 2 } },
        },
        Message: { fields: { from: { type: 'string', id: 1 }, text: { type: 'string', id: 2 } } },
      },
    },
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
});
const JoinRequest = root.lookupType('chat.JoinRequest');
const JoinResponse = root.lookupType('chat.JoinResponse');
const ChatMessage = root.lookupType('chat.Message');
const ProtosError = root.lookupType('protos.Error');

describe('client with a protobuf server', () => {
  let server: ScriptedServer;
  let client: PitayaClient | undefined;

  beforeEach(async () => {
    server = await ScriptedServer.start('ws', {
      handshake: { code: 200, sys: { heartbeat: 30, dict: {}, serializer: 'protobuf' } },
      onRequest: (message) => {
        const { name } = JoinRequest.toObject(JoinRequest.decode(message.body)) as { name: string };
        if (name === 'bad') return undefined;
        return JoinResponse.encode(JoinResponse.fromObject({ members: ['ana', name], count: 2 })).finish();
      },
    });
  });

  afterEach(async () => {
    await client?.close();
    await server.close();
  });

  const protobuf = {
    requests: { 'chat.room.join': JoinRequest },
    responses: { 'chat.room.join': JoinResponse },
    pushes: { onMessage: ChatMessage },
  };

  it('encodes requests and decodes responses and pushes with the application types', async () => {
    client = await connect(server.url, { protobuf });
    expect(client.serializerName).toBe('protobuf');
    await expect(client.request('chat.room.join', { name: 'bo' })).resolves.toEqual({
      members: ['ana', 'bo'],
      count: 2,
    });

    const pushed = new Promise((resolve) => client!.on('onMessage', resolve));
    (await server.connection()).push('onMessage', ChatMessage.encode({ from: 'ana', text: 'hi' }).finish());
    await expect(pushed).resolves.toEqual({ from: 'ana', text: 'hi' });
  });

  it("decodes error bodies as Pitaya's protos.Error", async () => {
    client = await connect(server.url, { protobuf });
    const pending = client.request('chat.room.join', { name: 'bad' });
    const connection = await server.connection();
    const { id } = await connection.message(0);
    const error = ProtosError.encode(
      ProtosError.fromObject({ code: 'PIT-555', msg: 'room full', metadata: { room: 'lobby' } }),
    );
    connection.respond(id, error.finish(), { error: true });
    const received = await pending.catch((e: unknown) => e);
    expect(received).toBeInstanceOf(PitayaError);
    expect(received).toMatchObject({ code: 'PIT-555', msg: 'room full', metadata: { room: 'lobby' } });
  });

  it('refuses a route it has no type for, without sending anything', async () => {
    client = await connect(server.url, { protobuf });
    await expect(client.request('chat.room.unknown', {})).rejects.toMatchObject({ code: 'SERIALIZATION' });
    expect((await server.connection()).packets.filter((p) => p.type === 4)).toHaveLength(0);
  });
});
