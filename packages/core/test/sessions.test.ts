import 'reflect-metadata';
import pino from 'pino';
import { Handler, PitayaError, type HandlerContext } from '@pitaya-ts/core';
import { MemorySessionPool, type SessionLink } from '@pitaya-ts/core/provider';
import { Harness, deferred, waitFor } from './helpers';

function fakeLink(): SessionLink & { kicks: (string | undefined)[] } {
  const kicks: (string | undefined)[] = [];
  return { remoteAddress: '10.0.0.1:5000', kicks, push() {}, sendPrepared() {}, kick: (reason) => kicks.push(reason) };
}

describe('MemorySessionPool', () => {
  const newPool = () => new MemorySessionPool('front-1', pino({ level: 'silent' }));

  it('creates sessions with their own ids, finds them by id and uid, and counts them', async () => {
    const pool = newPool();
    const a = pool.create(fakeLink());
    const b = pool.create(fakeLink());
    expect(a.id).not.toBe(b.id);
    expect(a.frontendId).toBe('front-1');
    expect(a.remoteAddress).toBe('10.0.0.1:5000');
    expect(pool.get(a.id)).toBe(a);
    expect([pool.count, pool.boundCount]).toEqual([2, 0]);

    await a.bind('ana');
    expect(a.uid).toBe('ana');
    expect(pool.getByUid('ana')).toBe(a);
    expect([pool.count, pool.boundCount]).toEqual([2, 1]);
    expect([...pool.sessions()]).toEqual([a, b]);

    await pool.close(a);
    expect(pool.get(a.id)).toBeUndefined();
    expect(pool.getByUid('ana')).toBeUndefined();
    expect([pool.count, pool.boundCount]).toEqual([1, 0]);
  });

  it('refuses to bind twice, an empty uid, or a closed session', async () => {
    const pool = newPool();
    const session = pool.create(fakeLink());
    await expect(session.bind('')).rejects.toMatchObject({ code: 'PIT-400' });
    await session.bind('ana');
    await expect(session.bind('bo')).rejects.toMatchObject({ code: 'PIT-400', metadata: { uid: 'ana' } });
    await expect(session.bind('ana')).rejects.toMatchObject({ code: 'PIT-400' });
    expect(session.uid).toBe('ana');
    expect(pool.getByUid('bo')).toBeUndefined();

    const closed = pool.create(fakeLink());
    await pool.close(closed);
    await expect(closed.bind('cy')).rejects.toMatchObject({ code: 'PIT-400' });
    await expect(closed.push('r', {})).rejects.toMatchObject({ code: 'PIT-499' });
  });

  it('lets an onSessionBind callback refuse, undoing the bind', async () => {
    const pool = newPool();
    const seen: (string | undefined)[] = [];
    const after: string[] = [];
    pool.onSessionBind((s) => {
      seen.push(s.uid);
      if (s.uid === 'banned') throw new PitayaError('PIT-403', 'banned');
    });
    pool.onAfterSessionBind((s) => void after.push(s.uid!));
    const session = pool.create(fakeLink());
    await expect(session.bind('banned')).rejects.toMatchObject({ code: 'PIT-403' });
    expect(session.uid).toBeUndefined();
    expect(pool.getByUid('banned')).toBeUndefined();
    expect(after).toEqual([]);
    await session.bind('ok');
    expect(seen).toEqual(['banned', 'ok']);
    expect(after).toEqual(['ok']);
  });

  it('does not keep the uid of a session that closed while its bind callbacks ran', async () => {
    const pool = newPool();
    const checked = deferred();
    pool.onSessionBind(() => checked.promise); // say, a database lookup
    const session = pool.create(fakeLink());
    const binding = session.bind('ana');
    await pool.close(session); // the client went away meanwhile
    checked.resolve();
    await expect(binding).rejects.toMatchObject({ code: 'PIT-400' });
    expect(pool.getByUid('ana')).toBeUndefined();
    expect(pool.boundCount).toBe(0);
  });

  it('runs the close callbacks of the session, then of the pool, once', async () => {
    const pool = newPool();
    const log: string[] = [];
    pool.onSessionClose((s) => void log.push(`pool:${s.uid}`));
    const session = pool.create(fakeLink());
    await session.bind('ana');
    session.onClose(() => void log.push('session:1'));
    session.onClose(() => {
      throw new Error('a failing callback does not stop the others');
    });
    session.onClose(async () => void log.push('session:3'));
    await pool.close(session);
    await pool.close(session);
    expect(log).toEqual(['session:1', 'session:3', 'pool:ana']);
    expect(session.closed).toBe(true);
  });

  it('keeps session data as it is: dates, maps, nested objects, numbers', () => {
    const session = newPool().create(fakeLink());
    const when = new Date('2024-01-02T03:04:05Z');
    const map = new Map([['k', { deep: [1, 2] }]]);
    const nested = { a: { b: { c: 1 } } };
    session.set('when', when);
    session.set('map', map);
    session.set('nested', nested);
    session.set('n', 1.5);
    session.set('zero', 0);
    expect(session.get<Date>('when')).toBe(when);
    expect(session.get<Date>('when')!.getTime()).toBe(when.getTime());
    expect(session.get<Map<string, unknown>>('map')!.get('k')).toEqual({ deep: [1, 2] });
    expect(session.get('nested')).toBe(nested);
    expect(session.get('n')).toBe(1.5);
    expect(session.has('zero')).toBe(true);
    expect(session.get('zero')).toBe(0);
    expect(session.data()).toEqual({ when, map, nested, n: 1.5, zero: 0 });

    session.remove('n');
    expect(session.has('n')).toBe(false);
    expect(session.get('n')).toBeUndefined();
    session.setData({ only: true });
    expect(session.data()).toEqual({ only: true });
    session.clear();
    expect(session.data()).toEqual({});
  });

  it('kicks through its link, and not once closed', async () => {
    const pool = newPool();
    const link = fakeLink();
    const session = pool.create(link);
    await session.kick('bye');
    await pool.close(session);
    await session.kick('again');
    expect(link.kicks).toEqual(['bye']);
  });
});

describe('sessions through a server', () => {
  const harness = new Harness();
  afterEach(() => harness.cleanup());

  @Handler()
  class AuthHandler {
    async bind(body: { uid: string }, { session }: HandlerContext): Promise<number> {
      await session.bind(body.uid);
      return session.id;
    }

    store(_body: unknown, { session }: HandlerContext): void {
      session.set('when', new Date(1_700_000_000_000));
      session.set('map', new Map([['a', 1]]));
      session.set('score', 7);
    }

    load(_body: unknown, { session }: HandlerContext): Record<string, unknown> {
      return {
        date: session.get('when') instanceof Date && session.get<Date>('when')!.getTime(),
        map: session.get('map') instanceof Map && session.get<Map<string, number>>('map')!.get('a'),
        score: session.get('score'),
      };
    }

    handshake(_body: unknown, { session }: HandlerContext): unknown {
      return session.handshake;
    }
  }

  it('binds, refuses a second bind, and keeps data across requests', async () => {
    const app = await harness.server({ handlers: [AuthHandler] });
    const client = await harness.client(app);
    const id = (await client.request('game.auth.bind', { uid: 'ana' })) as number;
    await expect(client.request('game.auth.bind', { uid: 'bo' })).rejects.toMatchObject({ code: 'PIT-400' });
    expect(app.sessions.get(id)).toBe(app.sessions.getByUid('ana'));
    expect(app.sessions.getByUid('bo')).toBeUndefined();

    await client.request('game.auth.store');
    await expect(client.request('game.auth.load')).resolves.toEqual({ date: 1_700_000_000_000, map: 1, score: 7 });
  });

  it('runs the bind and close callbacks; a refusing onSessionBind reaches the client', async () => {
    const afterBind: string[] = [];
    const poolClosed = deferred<string | undefined>();
    const sessionClosed = deferred<string>();
    const app = await harness.server({
      handlers: [AuthHandler],
      beforeStart: (a) => {
        a.sessions.onSessionBind((s) => {
          if (s.uid === 'banned') throw new PitayaError('PIT-403', 'banned', { uid: s.uid });
          s.onClose(() => sessionClosed.resolve(`closed ${s.uid}`));
        });
        a.sessions.onAfterSessionBind((s) => void afterBind.push(s.uid!));
        a.sessions.onSessionClose((s) => poolClosed.resolve(s.uid));
      },
    });
    const client = await harness.client(app);
    const other = await harness.client(app);
    await waitFor(() => app.sessions.count === 2, 'two sessions');

    await expect(client.request('game.auth.bind', { uid: 'banned' })).rejects.toMatchObject({
      code: 'PIT-403',
      metadata: { uid: 'banned' },
    });
    expect(app.sessions.getByUid('banned')).toBeUndefined();
    expect(app.sessions.boundCount).toBe(0);
    await client.request('game.auth.bind', { uid: 'ana' });
    expect(afterBind).toEqual(['ana']);
    expect(app.sessions.boundCount).toBe(1);

    await client.close();
    await expect(sessionClosed.promise).resolves.toBe('closed ana');
    await expect(poolClosed.promise).resolves.toBe('ana');
    expect(app.sessions.getByUid('ana')).toBeUndefined();
    expect(app.sessions.count).toBe(1);
    expect(other.connected).toBe(true);
  });

  it("keeps the client's handshake data on the session", async () => {
    const app = await harness.server({ handlers: [AuthHandler] });
    const client = await harness.client(app, { handshakeData: { version: '1.2.3', nested: { a: 1 } } });
    const handshake = (await client.request('game.auth.handshake')) as { sys: Record<string, unknown>; user: unknown };
    expect(handshake.user).toEqual({ version: '1.2.3', nested: { a: 1 } });
    expect(handshake.sys.platform).toBe('node');
  });

  it('kicks the older session of a uid bound again (pitaya.session.unique)', async () => {
    const app = await harness.server({ handlers: [AuthHandler] });
    const first = await harness.client(app);
    const second = await harness.client(app);
    const kicked = new Promise((resolve) => first.events.on('kick', () => resolve('kicked')));
    const closed = new Promise((resolve) => first.events.on('close', (reason) => resolve(reason.code)));
    const firstId = await first.request('game.auth.bind', { uid: 'ana' });
    const secondId = await second.request('game.auth.bind', { uid: 'ana' });
    await expect(kicked).resolves.toBe('kicked');
    await expect(closed).resolves.toBe('KICKED');
    await waitFor(() => app.sessions.get(firstId as number) === undefined, 'the older session to close');
    // the older session's close does not unbind the newer one
    expect(app.sessions.getByUid('ana')?.id).toBe(secondId);
    await expect(second.request('game.auth.handshake')).resolves.toBeDefined();
  });

  it('keeps both sessions when pitaya.session.unique is off', async () => {
    const app = await harness.server({ handlers: [AuthHandler], config: { 'pitaya.session.unique': false } });
    const first = await harness.client(app);
    const second = await harness.client(app);
    const kick = jest.fn();
    first.events.on('kick', kick);
    await first.request('game.auth.bind', { uid: 'ana' });
    const secondId = await second.request('game.auth.bind', { uid: 'ana' });
    await expect(first.request('game.auth.handshake')).resolves.toBeDefined();
    expect(kick).not.toHaveBeenCalled();
    expect(app.sessions.getByUid('ana')!.id).toBe(secondId);
  });
});
