import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { IsString, Length } from 'class-validator';
import { Handler, Notify, Request, type HandlerContext } from '@pitaya-ts/core';
import { Harness } from './helpers';

const harness = new Harness();
afterEach(() => harness.cleanup());

class JoinRequest {
  @IsString() @Length(1, 8) name!: string;
}

/**
 * Applies a method decorator as a compiler without decorator metadata does (esbuild, tsx): the
 * decorator runs, but nothing records `design:paramtypes`.
 */
function decorate(cls: { prototype: object }, method: string, decorator: MethodDecorator): void {
  decorator(cls.prototype, method, Object.getOwnPropertyDescriptor(cls.prototype, method)!);
}

describe('body types declared in the decorator', () => {
  it('validates the body of @Request(Dto) without decorator metadata', async () => {
    class RoomHandler {
      join(body: JoinRequest) {
        return { isDto: body instanceof JoinRequest, name: body.name };
      }
    }
    decorate(RoomHandler, 'join', Request(JoinRequest));
    Handler()(RoomHandler);
    const client = await harness.client(await harness.server({ handlers: [RoomHandler] }));

    await expect(client.request('game.room.join', { name: 'ana' })).resolves.toEqual({ isDto: true, name: 'ana' });
    await expect(client.request('game.room.join', { name: '' })).rejects.toMatchObject({
      code: 'PIT-400',
      message: expect.stringContaining('invalid JoinRequest'),
    });
  });

  it('takes { body } and @Notify(Dto) the same way', async () => {
    const received: unknown[] = [];
    class RoomHandler {
      join(body: JoinRequest) {
        return { isDto: body instanceof JoinRequest };
      }
      shout(body: JoinRequest) {
        received.push(body);
      }
    }
    decorate(RoomHandler, 'join', Request({ body: JoinRequest }));
    decorate(RoomHandler, 'shout', Notify(JoinRequest));
    Handler()(RoomHandler);
    const client = await harness.client(await harness.server({ handlers: [RoomHandler] }));

    await expect(client.request('game.room.join', { name: 'x'.repeat(9) })).rejects.toMatchObject({ code: 'PIT-400' });
    client.notify('game.room.shout', { name: 42 });
    client.notify('game.room.shout', { name: 'bo' });
    // one session's messages run in order: once join answers, both notifies were handled
    await expect(client.request('game.room.join', { name: 'ana' })).resolves.toEqual({ isDto: true });
    expect(received).toEqual([expect.any(JoinRequest)]);
    expect(received[0]).toMatchObject({ name: 'bo' });
  });

  it('fails at boot, naming the handler, when a body type is needed and nothing recorded it', async () => {
    class RoomHandler {
      join(body: JoinRequest) {
        return body.name;
      }
    }
    decorate(RoomHandler, 'join', Request());
    Handler()(RoomHandler);
    await expect(harness.server({ handlers: [RoomHandler] })).rejects.toThrow(
      'RoomHandler.join: no type information (emitDecoratorMetadata is off): declare the body type with @Request(',
    );
  });

  it('boots a handler that takes no body, and one declared a plain body with Object', async () => {
    class RoomHandler {
      members() {
        return ['ana'];
      }
      echo(body: { text: string }, ctx: HandlerContext) {
        return { text: body.text, route: ctx.route };
      }
    }
    decorate(RoomHandler, 'members', Request());
    decorate(RoomHandler, 'echo', Request(Object));
    Handler()(RoomHandler);
    const client = await harness.client(await harness.server({ handlers: [RoomHandler] }));

    await expect(client.request('game.room.members', {})).resolves.toEqual(['ana']);
    await expect(client.request('game.room.echo', { text: 'hi' })).resolves.toEqual({
      text: 'hi',
      route: 'game.room.echo',
    });
  });

  it('works under tsx, which emits no decorator metadata', async () => {
    const dir = join(__dirname, 'fixtures', 'tsx');
    const { stdout } = await promisify(execFile)(process.execPath, [require.resolve('tsx/cli'), 'body-types.ts'], {
      cwd: dir,
    });
    expect(JSON.parse(stdout)).toEqual({
      valid: { isDto: true },
      invalid: 'PIT-400',
      boot: expect.stringContaining(
        'RoomHandler.join: no type information (emitDecoratorMetadata is off): declare the body type with @Request(',
      ),
    });
  }, 120_000); // a process that compiles as it loads, on a loaded machine
});
