import 'reflect-metadata';
import type { PitayaClient } from '@pitaya-ts/client';
import { Handler, type HandlerContext, type PitayaApp } from '@pitaya-ts/core';
import { Harness, deferred, waitFor } from './helpers';

const harness = new Harness();
afterEach(() => harness.cleanup());

@Handler()
class UserHandler {
  async login(body: { uid: string }, { session }: HandlerContext): Promise<void> {
    await session.bind(body.uid);
  }

  async echoPush(body: { text: string }, { session }: HandlerContext): Promise<string> {
    await session.push('onEcho', { text: body.text, uid: session.uid });
    return 'pushed';
  }
}

async function loggedIn(app: PitayaApp, uid: string): Promise<PitayaClient> {
  const client = await harness.client(app);
  await client.request('game.user.login', { uid });
  return client;
}

describe('push and kick by uid', () => {
  it('pushes to the users connected and returns the uids it could not reach', async () => {
    const app = await harness.server({ handlers: [UserHandler] });
    const ana = await loggedIn(app, 'ana');
    const bo = await loggedIn(app, 'bo');
    const anonymous = await harness.client(app);
    const got: Record<string, unknown[]> = { ana: [], bo: [], anonymous: [] };
    ana.on('onBonus', (body) => got.ana!.push(body));
    bo.on('onBonus', (body) => got.bo!.push(body));
    anonymous.on('onBonus', (body) => got.anonymous!.push(body));

    await expect(app.pushToUsers('onBonus', { coins: 5 }, ['ana', 'nobody', 'bo', 'gone'])).resolves.toEqual([
      'nobody',
      'gone',
    ]);
    await expect(app.pushToUsers('onBonus', { coins: 6 }, ['bo'])).resolves.toEqual([]);
    await waitFor(() => got.ana!.length === 1 && got.bo!.length === 2);
    expect(got.ana).toEqual([{ coins: 5 }]);
    expect(got.bo).toEqual([{ coins: 5 }, { coins: 6 }]);
    // the unbound client is nobody's uid: a request round trip proves nothing was queued for it
    await anonymous.request('game.user.echoPush', { text: 'x' });
    expect(got.anonymous).toEqual([]);
  });

  it('pushes to a session from a handler, before the response', async () => {
    const app = await harness.server({ handlers: [UserHandler] });
    const client = await loggedIn(app, 'ana');
    const order: string[] = [];
    client.on('onEcho', (body) => order.push(`push:${JSON.stringify(body)}`));
    order.push(`response:${String(await client.request('game.user.echoPush', { text: 'hi' }))}`);
    expect(order).toEqual(['push:{"text":"hi","uid":"ana"}', 'response:pushed']);
  });

  it('kicks users by uid, closing their connection, and returns the uids it could not kick', async () => {
    const app = await harness.server({ handlers: [UserHandler] });
    const ana = await loggedIn(app, 'ana');
    const bo = await loggedIn(app, 'bo');
    const anaKicked = deferred<string>();
    ana.events.on('close', (reason, reconnecting) => anaKicked.resolve(`${reason.code}:${reconnecting}`));
    const kick = jest.fn();
    ana.events.on('kick', kick);

    await expect(app.kickUsers(['ana', 'nobody'], 'maintenance')).resolves.toEqual(['nobody']);
    // a kicked user is gone at once, before its connection has finished closing: pushing or
    // kicking again fails
    expect(app.sessions.getByUid('ana')).toBeUndefined();
    await expect(app.pushToUsers('onBonus', {}, ['ana'])).resolves.toEqual(['ana']);
    await expect(app.kickUsers(['ana'])).resolves.toEqual(['ana']);
    await expect(anaKicked.promise).resolves.toBe('KICKED:false');
    expect(kick).toHaveBeenCalledTimes(1);
    await waitFor(() => app.sessions.count === 1, 'the kicked session to close');
    expect(bo.connected).toBe(true);
  });
});
