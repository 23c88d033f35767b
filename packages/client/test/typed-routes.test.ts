import { connect, type PitayaClient } from '@pitaya-ts/client';
import { ScriptedServer } from './scripted-server';

interface ChatRoutes {
  requests: {
    'chat.room.join': { request: { name: string }; response: { members: string[] } };
    'chat.room.leave': { request: Record<string, never>; response: { ok: boolean } };
  };
  notifies: { 'chat.room.send': { text: string } };
  pushes: { onMessage: { from: string; text: string }; onJoin: { name: string } };
}

/** Checked by `tsc --noEmit` (part of `npm test`): each @ts-expect-error must be an error. */
export function typeChecks(client: PitayaClient<ChatRoutes>): void {
  const members: Promise<{ members: string[] }> = client.request('chat.room.join', { name: 'ana' });
  void members;
  client.notify('chat.room.send', { text: 'hi' });
  client.on('onMessage', (m) => m.from.toUpperCase());

  // @ts-expect-error unknown route
  void client.request('chat.room.jion', { name: 'ana' });
  // @ts-expect-error wrong body type
  void client.request('chat.room.join', { name: 3 });
  // @ts-expect-error the response has no such field
  void client.request('chat.room.join', { name: 'ana' }).then((r) => r.member); // eslint-disable-line @typescript-eslint/no-unsafe-return -- the type error is the test
  // @ts-expect-error a request route is not a notify route
  client.notify('chat.room.join', { name: 'ana' });
  // @ts-expect-error push bodies are typed too
  client.on('onJoin', (m) => m.text); // eslint-disable-line @typescript-eslint/no-unsafe-return -- the type error is the test
}

describe('typed routes', () => {
  it('carry the declared types through a real round trip', async () => {
    const server = await ScriptedServer.start('tcp', {
      onRequest: () => new TextEncoder().encode(JSON.stringify({ members: ['ana'] })),
    });
    const client = await connect<ChatRoutes>(server.url);
    const { members } = await client.request('chat.room.join', { name: 'ana' });
    expect(members).toEqual(['ana']);
    await client.close();
    await server.close();
  });
});
