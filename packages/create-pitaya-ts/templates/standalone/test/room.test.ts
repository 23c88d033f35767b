import 'reflect-metadata';
import { ContainerModule } from 'inversify';
import { createTestApp } from '@pitaya-ts/testing';
import type { PitayaClient } from '@pitaya-ts/client';
import { Clock } from '../src/clock';
import { game } from '../src/game';
import type { ChatMessage } from '../src/room/dto';

const NOW = Date.UTC(2030, 0, 1);
class StoppedClock extends Clock {
  override now(): number {
    return NOW;
  }
}
// the game's providers, with the clock rebound to one that stands still
const stoppedClock = new ContainerModule(({ rebind }) => {
  rebind(Clock).toConstantValue(new StoppedClock());
});

/** The next push of `route` the client gets. */
function next<T>(client: PitayaClient, route: string): Promise<T> {
  return new Promise((resolve) => {
    const stop = client.on(route, (body) => {
      stop();
      resolve(body as T);
    });
  });
}

describe('the room', () => {
  let server: Awaited<ReturnType<typeof createTestApp>>;

  beforeEach(async () => {
    // ephemeral loopback ports; a room of two
    server = await createTestApp({
      ...game,
      providers: [...game.providers, stoppedClock],
      config: { 'game.room.capacity': 2 },
    });
  });
  afterEach(() => server.stop());

  it('tells everyone in the room what a player says, stamped by the clock', async () => {
    const ana = await server.client();
    const bo = await server.client('tcp');
    await expect(ana.request('game.room.join', { name: 'ana', room: 'hall' })).resolves.toEqual({ members: ['ana'] });
    const joined = next(ana, 'onJoin');
    await expect(bo.request('game.room.join', { name: 'bo', room: 'hall' })).resolves.toEqual({
      members: ['ana', 'bo'],
    });
    await expect(joined).resolves.toEqual({ name: 'bo' });

    const heard = Promise.all([next<ChatMessage>(ana, 'onMessage'), next<ChatMessage>(bo, 'onMessage')]);
    bo.notify('game.room.say', { text: 'hello' });
    expect(await heard).toEqual([
      { from: 'bo', text: 'hello', at: NOW },
      { from: 'bo', text: 'hello', at: NOW },
    ]);
  });

  it('answers a body that is not a JoinRequest with PIT-400 and the reasons', async () => {
    const client = await server.client();
    await expect(client.request('game.room.join', { name: '', room: 'Hall!' })).rejects.toMatchObject({
      code: 'PIT-400',
      message: expect.stringContaining('room: 1 to 32 lower-case letters'),
    });
  });

  it('refuses the routes that need a player (the signedIn step) before a join, with PIT-401', async () => {
    const client = await server.client();
    await expect(client.request('game.room.members', {})).rejects.toMatchObject({ code: 'PIT-401' });
    await client.request('game.room.join', { name: 'ana', room: 'hall' });
    await expect(client.request('game.room.members', {})).resolves.toEqual({ members: ['ana'] });
  });

  it('refuses a player past the capacity of the room (game.room.capacity)', async () => {
    for (const name of ['ana', 'bo']) await (await server.client()).request('game.room.join', { name, room: 'hall' });
    const cy = await server.client();
    await expect(cy.request('game.room.join', { name: 'cy', room: 'hall' })).rejects.toMatchObject({
      code: 'GAME-001',
    });
  });

  it('lists the members of a room through its remote', async () => {
    await (await server.client()).request('game.room.join', { name: 'ana', room: 'hall' });
    await expect(server.app.rpc('game.roomRemote.members', { room: 'hall' })).resolves.toEqual({ members: ['ana'] });
  });
});
