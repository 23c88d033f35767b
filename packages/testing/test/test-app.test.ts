import 'reflect-metadata';
import * as net from 'node:net';
import { inject, injectable } from 'inversify';
import { Handler, Request, type HandlerContext } from '@pitaya-ts/core';
import { createTestApp, type TestApp } from '@pitaya-ts/testing';

const GREETING = Symbol('greeting');

@injectable()
class Greeter {
  greet(name: string) {
    return `hello ${name}`;
  }
}

@Handler('room')
class RoomHandler {
  constructor(@inject(GREETING) private readonly greeter: Greeter) {}

  @Request()
  join(body: { name: string }, { session }: HandlerContext) {
    return { greeting: this.greeter.greet(body.name), session: session.id > 0 };
  }
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => resolve(socket.destroy() && false));
    socket.once('error', () => resolve(true));
  });
}

describe('createTestApp', () => {
  let test: TestApp | undefined;
  afterEach(() => test?.stop());

  it('starts the handlers on free loopback ports, WebSocket and TCP, and drives them with clients', async () => {
    test = await createTestApp({
      serverType: 'chat',
      handlers: [RoomHandler],
      beforeStart: (app) => void app.container.bind(GREETING).to(Greeter),
    });
    expect(test.url()).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    expect(test.url('tcp')).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    for (const transport of ['ws', 'tcp'] as const) {
      const client = await test.client(transport);
      await expect(client.request('chat.room.join', { name: 'ana' })).resolves.toEqual({
        greeting: 'hello ana',
        session: true,
      });
    }
  });

  it('takes providers that bind or rebind tokens', async () => {
    const { ContainerModule } = await import('inversify');
    const fake = { greet: (name: string) => `fake ${name}` };
    test = await createTestApp({
      handlers: [RoomHandler],
      providers: [new ContainerModule(({ bind }) => void bind(GREETING).toConstantValue(fake))],
    });
    const client = await test.client();
    await expect(client.request('game.room.join', { name: 'bo' })).resolves.toMatchObject({ greeting: 'fake bo' });
  });

  it('stops the server and closes its clients in one call', async () => {
    test = await createTestApp({
      handlers: [RoomHandler],
      beforeStart: (app) => void app.container.bind(GREETING).to(Greeter),
    });
    const ws = await test.client();
    const tcp = await test.client('tcp');
    const ports = [test.url(), test.url('tcp')].map((url) => Number(new URL(url).port));
    await test.stop();
    expect([ws.connected, tcp.connected]).toEqual([false, false]);
    expect(test.app.running).toBe(false);
    await expect(Promise.all(ports.map(refused))).resolves.toEqual([true, true]);
    test = undefined;
  });

  it('rejects when the app cannot start', async () => {
    // GREETING is bound nowhere: resolving the handler fails
    await expect(createTestApp({ handlers: [RoomHandler] })).rejects.toThrow(/greeting/);
  });
});
