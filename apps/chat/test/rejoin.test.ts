import 'reflect-metadata';
import { connect } from '@pitaya-ts/client';
import type { PitayaApp } from '@pitaya-ts/core';
import { createChatServer } from '../src/chat-server';

describe('joining again', () => {
  let app: PitayaApp;

  beforeAll(async () => {
    app = await createChatServer({
      wsPort: 0,
      tcpPort: 0,
      handleSignals: false,
      config: { 'pitaya.log.level': 'silent' },
    });
    await app.start();
  });

  afterAll(() => app.stop());

  it('lets a connection that left join again under its name, and refuses another name', async () => {
    const url = `ws://127.0.0.1:${app.acceptors[0]!.address()!.port}`;
    const ana = await connect(url);
    const bo = await connect(url);
    await bo.request('chat.room.join', { name: 'bo' });
    await ana.request('chat.room.join', { name: 'ana' });
    await expect(ana.request('chat.room.leave', {})).resolves.toEqual({ ok: true });
    const rejoined = new Promise((resolve) => bo.on('onJoin', resolve));
    await expect(ana.request('chat.room.join', { name: 'ana' })).resolves.toEqual({ members: ['bo', 'ana'] });
    await expect(rejoined).resolves.toEqual({ name: 'ana' });
    await expect(ana.request('chat.room.join', { name: 'other' })).rejects.toMatchObject({
      code: 'PIT-400',
      metadata: { name: 'ana' },
    });
    await Promise.all([ana.close(), bo.close()]);
  });
});
