import 'reflect-metadata';
import { PitayaError as ClientPitayaError } from '@pitaya-ts/client';
import { BootError, bootstrap, Handler, Notify, Remote, Request, Route, type HandlerContext } from '@pitaya-ts/core';
import { Harness, deferred } from './helpers';

const harness = new Harness();
afterEach(() => harness.cleanup());

@Handler()
class RoomHandler {
  hello(body: { name: string }): string {
    return `hello ${body.name}`;
  }

  @Route('rename')
  renamed(): string {
    return 'renamed';
  }

  _secret(): string {
    return 'private';
  }

  #hidden(): string {
    return 'hidden';
  }

  usesHidden(): string {
    return this.#hidden();
  }

  // eslint-disable-next-line @typescript-eslint/class-literal-property-style -- an accessor on the prototype is the point: not a route
  get notAMethod(): string {
    return 'getter';
  }
}

@Handler('lobby')
class ExplicitHandler {
  where(): string {
    return 'lobby';
  }
}

@Handler({ name: 'mapped', nameFunc: (method) => method.toLowerCase() })
class MappedHandler {
  GetScore(): number {
    return 42;
  }

  @Route('Explicit')
  routeWins(): string {
    return 'route decorator over nameFunc';
  }
}

@Handler()
class Handler_ {
  ping(): string {
    return 'pong';
  }
}

@Remote()
class RoomRemote {
  echo(arg: unknown): unknown {
    return { echoed: arg };
  }
}

@Remote('stats')
class StatsRemote {
  count(arg: number[]): number {
    return arg.length;
  }
}

class BaseHandler {
  inherited(): string {
    return `inherited by ${this.constructor.name}`;
  }
}

@Handler('child')
class ChildHandler extends BaseHandler {
  own(): string {
    return 'own';
  }
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<ClientPitayaError> {
  const error = await promise.then(
    () => {
      throw new Error(`expected ${code}, got an answer`);
    },
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(ClientPitayaError);
  expect((error as ClientPitayaError).code).toBe(code);
  return error as ClientPitayaError;
}

describe('route names', () => {
  it('names handlers after their class, their option, or a name function', async () => {
    const app = await harness.server({ handlers: [RoomHandler, ExplicitHandler, MappedHandler, Handler_] });
    const client = await harness.client(app);
    await expect(client.request('game.room.hello', { name: 'ana' })).resolves.toBe('hello ana');
    await expect(client.request('game.room.rename')).resolves.toBe('renamed');
    await expect(client.request('game.lobby.where')).resolves.toBe('lobby');
    await expect(client.request('game.mapped.getscore')).resolves.toBe(42);
    await expect(client.request('game.mapped.Explicit')).resolves.toBe('route decorator over nameFunc');
    await expect(client.request('game.handler_.ping')).resolves.toBe('pong');

    await expectCode(client.request('game.room.renamed'), 'PIT-404');
    await expectCode(client.request('game.mapped.GetScore'), 'PIT-404');
    await expectCode(client.request('game.roomHandler.hello', { name: 'x' }), 'PIT-404');
  });

  it('keeps _named and #private methods, getters and lifecycle hooks out of the routes', async () => {
    const app = await harness.server({ handlers: [RoomHandler] });
    const client = await harness.client(app);
    await expect(client.request('game.room.usesHidden')).resolves.toBe('hidden');
    await expectCode(client.request('game.room._secret'), 'PIT-404');
    await expectCode(client.request('game.room.#hidden'), 'PIT-404');
    await expectCode(client.request('game.room.notAMethod'), 'PIT-404');
    await expectCode(client.request('game.room.constructor'), 'PIT-404');
  });

  it('routes the methods a handler inherits', async () => {
    const app = await harness.server({ handlers: [ChildHandler] });
    const client = await harness.client(app);
    await expect(client.request('game.child.own')).resolves.toBe('own');
    await expect(client.request('game.child.inherited')).resolves.toBe('inherited by ChildHandler');
  });

  it('names remotes after their class, or their option', async () => {
    const app = await harness.server({ remotes: [RoomRemote, StatsRemote] });
    await expect(app.rpc('game.roomRemote.echo', { a: 1 })).resolves.toEqual({ echoed: { a: 1 } });
    await expect(app.rpc('game.stats.count', [1, 2, 3])).resolves.toBe(3);
    await expect(app.rpc('game.room.echo', 1)).rejects.toMatchObject({ code: 'PIT-404' });
  });

  it('keeps remotes away from clients and handlers away from RPC', async () => {
    const app = await harness.server({ handlers: [RoomHandler], remotes: [RoomRemote] });
    const client = await harness.client(app);
    await expectCode(client.request('game.roomRemote.echo', {}), 'PIT-404');
    await expect(app.rpc('game.room.hello', { name: 'x' })).rejects.toMatchObject({ code: 'PIT-404' });
  });
});

describe('boot errors', () => {
  async function bootError(options: Parameters<Harness['build']>[0]): Promise<BootError> {
    const app = await harness.build(options);
    const error = await app.start().then(
      () => new Error('expected start() to fail'),
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(BootError);
    return error as BootError;
  }

  it('refuses two handlers with the same route', async () => {
    @Handler('room')
    class OtherRoomHandler {
      hello(): string {
        return 'other';
      }
    }
    const error = await bootError({ handlers: [RoomHandler, OtherRoomHandler] });
    expect(error.message).toContain('room.hello');
  });

  it('refuses two methods renamed to the same route', async () => {
    @Handler('dup')
    class DuplicateHandler {
      a(): void {}
      @Route('a')
      b(): void {}
    }
    expect((await bootError({ handlers: [DuplicateHandler] })).message).toContain('dup.a');
  });

  it('refuses an undecorated class, and a remote listed as a handler', async () => {
    class Plain {
      x(): void {}
    }
    expect((await bootError({ handlers: [Plain] })).message).toContain('Plain');
    expect((await bootError({ handlers: [RoomRemote] })).message).toContain('RoomRemote');
    expect((await bootError({ remotes: [RoomHandler] })).message).toContain('RoomHandler');
  });

  it('refuses invalid names', async () => {
    @Handler('my room')
    class SpacedHandler {
      hello(): string {
        return 'hello';
      }
    }
    expect((await bootError({ handlers: [SpacedHandler] })).message).toContain('my room');

    @Handler()
    class DottedHandler {
      @Route('a.b')
      m(): void {}
    }
    expect((await bootError({ handlers: [DottedHandler] })).message).toContain('a.b');
  });

  it('runs no lifecycle hook of a server that cannot boot', async () => {
    const init = jest.fn();
    @Handler('dup2')
    class WithHook {
      init = init;
      a(): void {}
      @Route('a')
      b(): void {}
    }
    await bootError({ handlers: [WithHook] });
    expect(init).not.toHaveBeenCalled();
  });
});

describe('request and notify handlers', () => {
  it('marks @Notify methods as notifies and everything else as requests', async () => {
    const seen = deferred<{ body: unknown; type: string }>();
    @Handler('kinds')
    class KindsHandler {
      @Notify()
      fire(body: unknown, ctx: HandlerContext): void {
        seen.resolve({ body, type: ctx.type });
      }
      @Request()
      ask(): string {
        return 'answer';
      }
      plain(): string {
        return 'plain';
      }
    }
    const app = await harness.server({ handlers: [KindsHandler] });
    const client = await harness.client(app);
    await expect(client.request('game.kinds.ask')).resolves.toBe('answer');
    await expect(client.request('game.kinds.plain')).resolves.toBe('plain');
    client.notify('game.kinds.fire', { n: 1 });
    await expect(seen.promise).resolves.toEqual({ body: { n: 1 }, type: 'notify' });
  });
});

describe('server names', () => {
  it.each([
    [{ serverType: 'bad type' }, 'bad type'],
    [{ serverType: 'game.v2' }, 'game.v2'],
    [{ serverType: 'game', serverId: 'a/b' }, 'a/b'],
  ])('refuses %j with a BootError naming it', async (names, named) => {
    const error = await bootstrap({ ...names, handleSignals: false, env: {} }).then(
      () => new Error('expected bootstrap to fail'),
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(BootError);
    expect((error as Error).message).toContain(named);
  });

  it('names the server <serverType>-<uuid> unless given an id', async () => {
    const app = await harness.build({});
    expect(app.server.id).toMatch(/^game-[0-9a-f-]{36}$/);
    expect(app.server).toMatchObject({ type: 'game', frontend: true });
    const backend = await harness.build({ serverId: 'game-7', acceptors: [] });
    expect(backend.server).toMatchObject({ id: 'game-7', frontend: false });
  });
});
