import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsInt, IsString, Length, Max, Min, ValidateNested } from 'class-validator';
import { PitayaError as ClientPitayaError, type PitayaClient } from '@pitaya-ts/client';
import { Handler, Notify, PitayaError, Request, type HandlerContext, type PitayaApp } from '@pitaya-ts/core';
import { Harness, captureLogger, deferred, tcpAcceptor, wsAcceptor, type Deferred } from './helpers';

class Position {
  @IsInt()
  @Min(0)
  x!: number;

  @IsInt()
  @Min(0)
  y!: number;
}

class MoveRequest {
  @IsString()
  @Length(1, 8)
  name!: string;

  @IsInt()
  @Max(10)
  speed!: number;

  @ValidateNested()
  @Type(() => Position)
  to!: Position;

  describe(): string {
    return `${this.name}@${this.to.x},${this.to.y}`;
  }
}

/** A body class for typing and transformation only: nothing to validate. */
class Plain {
  @Type(() => Position)
  at!: Position;

  name!: string;
}

let notified: Deferred<{ body: unknown; ctx: Pick<HandlerContext, 'route' | 'type'> & { uid?: string } }>;

@Handler()
class RoomHandler {
  @Request()
  move(body: MoveRequest): { described: string; isInstance: boolean } {
    return { described: body.describe(), isInstance: body instanceof MoveRequest };
  }

  @Request()
  plain(body: Plain): { name: string; transformed: boolean } {
    return { name: body.name, transformed: body instanceof Plain && body.at instanceof Position };
  }

  @Request()
  bytes(body: Uint8Array): { length: number; first: number; isBytes: boolean } {
    return { length: body.length, first: body[0]!, isBytes: body instanceof Uint8Array };
  }

  @Notify()
  shout(body: unknown, ctx: HandlerContext): void {
    notified.resolve({ body, ctx: { route: ctx.route, type: ctx.type, uid: ctx.session.uid } });
  }

  crash(): never {
    throw new Error('database password is hunter2');
  }

  async rejects(): Promise<never> {
    throw new TypeError('secret internals');
  }

  full(): never {
    throw new PitayaError('PIT-555', 'room is full', { k: 'v' });
  }

  async context(body: { uid: string }, ctx: HandlerContext): Promise<Record<string, unknown>> {
    await ctx.session.bind(body.uid);
    return {
      route: ctx.route,
      serverType: ctx.serverType,
      service: ctx.service,
      method: ctx.method,
      type: ctx.type,
      uid: ctx.session.uid,
      sessionId: ctx.session.id,
      frontend: ctx.session.frontend,
      frontendId: ctx.session.frontendId,
      remote: ctx.session.remoteAddress,
      metadata: ctx.metadata,
    };
  }

  nothing(): void {}
}

describe.each([
  ['WebSocket', wsAcceptor],
  ['TCP', tcpAcceptor],
])('handlers over %s', (_transport, acceptor) => {
  const harness = new Harness();
  let app: PitayaApp;
  let client: PitayaClient;
  let logs: Record<string, unknown>[];

  beforeEach(async () => {
    const captured = captureLogger('info');
    logs = captured.lines;
    app = await harness.server({ handlers: [RoomHandler], acceptors: [acceptor()], logger: captured.logger });
    client = await harness.client(app);
    notified = deferred();
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

  it('validates DTO bodies and hands the handler an instance of its class', async () => {
    await expect(client.request('game.room.move', { name: 'ana', speed: 3, to: { x: 1, y: 2 } })).resolves.toEqual({
      described: 'ana@1,2',
      isInstance: true,
    });
  });

  it('answers an invalid DTO with PIT-400 and each failed constraint in the metadata', async () => {
    const error = await failure(client.request('game.room.move', { name: '', speed: 11, to: { x: -1, y: 'a' } }));
    expect(error.code).toBe('PIT-400');
    expect(Object.keys(error.metadata).sort()).toEqual(['name', 'speed', 'to.x', 'to.y']);
    expect(error.metadata.name).toMatch(/longer than or equal to 1/);
    expect(error.metadata.speed).toMatch(/must not be greater than 10/);
    expect(error.metadata['to.x']).toMatch(/must not be less than 0/);
    expect(error.metadata['to.y']).toMatch(/integer/);

    expect((await failure(client.request('game.room.move', [1, 2]))).code).toBe('PIT-400');
    expect((await failure(client.request('game.room.move'))).code).toBe('PIT-400');
  });

  it('hands a body class without constraints an instance of it, without refusing it', async () => {
    await expect(client.request('game.room.plain', { name: 'ana', at: { x: 1, y: 2 } })).resolves.toEqual({
      name: 'ana',
      transformed: true,
    });
  });

  it('hands a Uint8Array body the raw bytes', async () => {
    await expect(client.request('game.room.bytes', new Uint8Array([0xff, 0, 1, 2]))).resolves.toEqual({
      length: 4,
      first: 0xff,
      isBytes: true,
    });
  });

  it('answers a request to a notify handler, and a notify handler, as they are', async () => {
    const error = await failure(client.request('game.room.shout', { text: 'hi' }));
    expect(error.code).toBe('PIT-400');
    expect(error.metadata).toEqual({ route: 'game.room.shout' });

    client.notify('room.shout', { text: 'hey' });
    await expect(notified.promise).resolves.toEqual({
      body: { text: 'hey' },
      ctx: { route: 'game.room.shout', type: 'notify', uid: undefined },
    });
  });

  it('answers an unknown route with PIT-404, and a malformed one with PIT-400', async () => {
    const error = await failure(client.request('game.room.nope'));
    expect(error.code).toBe('PIT-404');
    expect(error.metadata).toEqual({ route: 'game.room.nope' });
    expect((await failure(client.request('game.nowhere.join'))).code).toBe('PIT-404');
    expect((await failure(client.request('other.room.move', {}))).code).toBe('PIT-404');
    expect((await failure(client.request('a.b.c.d'))).code).toBe('PIT-400');
    expect((await failure(client.request('justone'))).code).toBe('PIT-400');
  });

  it('answers a body that is not JSON with PIT-400', async () => {
    const error = await failure(client.request('game.room.context', new TextEncoder().encode('{nope')));
    expect(error.code).toBe('PIT-400');
  });

  it('hides what a handler throws that is not a PitayaError behind PIT-500', async () => {
    for (const route of ['game.room.crash', 'game.room.rejects']) {
      const error = await failure(client.request(route));
      expect(error.code).toBe('PIT-500');
      expect(error.msg).toBe('internal server error');
      expect(error.metadata).toEqual({});
      expect(JSON.stringify(error)).not.toMatch(/hunter2|secret|at .*\.ts/);
    }
    // the server's log keeps what the client does not see
    expect(JSON.stringify(logs)).toContain('hunter2');
  });

  it("sends an application's PitayaError as it is", async () => {
    const error = await failure(client.request('game.room.full'));
    expect(error).toMatchObject({ code: 'PIT-555', msg: 'room is full', metadata: { k: 'v' } });
  });

  it("rejects with the servers' own PitayaError: core's recognises what the client caught", async () => {
    const error = await client.request('game.room.full').catch((err: unknown) => err);
    expect(error).toBeInstanceOf(PitayaError);
    expect(PitayaError.is(error)).toBe(true);
    expect(ClientPitayaError).toBe(PitayaError);
  });

  it('gives the handler the session, the route and the type; takes full and short routes', async () => {
    const full = (await client.request('game.room.context', { uid: 'ana' })) as Record<string, unknown>;
    expect(full).toMatchObject({
      route: 'game.room.context',
      serverType: 'game',
      service: 'room',
      method: 'context',
      type: 'request',
      uid: 'ana',
      frontend: true,
      frontendId: app.server.id,
      metadata: {},
    });
    expect(full.remote).toMatch(/^(::ffff:)?127\.0\.0\.1:\d+$/);
    expect(app.sessions.get(full.sessionId as number)?.uid).toBe('ana');

    const other = await harness.client(app);
    const short = (await other.request('room.context', { uid: 'bo' })) as Record<string, unknown>;
    expect(short).toMatchObject({ route: 'game.room.context', type: 'request', uid: 'bo' });
    expect(short.sessionId).not.toBe(full.sessionId);
  });

  it('answers a handler that returns nothing with an empty response', async () => {
    await expect(client.request('game.room.nothing')).resolves.toBeUndefined();
  });
});
