import 'reflect-metadata';
import {
  CLIENT_KINDS,
  closeAll,
  exchange,
  join,
  peer,
  pinusPeer,
  startChat,
  TRANSPORTS,
  type ChatServer,
  type LogLine,
  type Peer,
  type PinusPeer,
} from './helpers';

let server: ChatServer;
let logs: LogLine[];
let peers: Peer[] = [];

async function track<T extends Peer>(p: Promise<T>): Promise<T> {
  const value = await p;
  peers.push(value);
  return value;
}

beforeEach(async () => {
  logs = [];
  server = await startChat({}, { logs });
});

afterEach(async () => {
  await closeAll(...peers);
  peers = [];
  await server.stop();
});

const failure = (code: string, metadata?: Record<string, unknown>): unknown =>
  expect.objectContaining({ code, msg: expect.any(String), ...(metadata ? { metadata } : {}) });

describe.each(TRANSPORTS)('errors over %s', (transport) => {
  describe.each(CLIENT_KINDS)('with %s peers', (kind) => {
    let ana: Peer;
    let bob: Peer;

    beforeEach(async () => {
      ana = await track(peer(server, kind, transport));
      bob = await track(peer(server, kind, transport));
    });

    it('answers PIT-404 to unknown routes, and the connection stays usable', async () => {
      for (const route of ['chat.room.nope', 'chat.lobby.join', 'room.nope', 'lobby.room.join']) {
        await expect(ana.request(route, {})).rejects.toEqual(failure('PIT-404', { route: expect.any(String) }));
      }
      await expect(join(ana, 'ana')).resolves.toEqual(['ana']);
    });

    it('answers PIT-400 to a route that is not serverType.service.method', async () => {
      await expect(ana.request('join', {})).rejects.toEqual(failure('PIT-400', { route: 'join' }));
      await expect(ana.request('a.b.c.d', {})).rejects.toEqual(failure('PIT-400', { route: 'a.b.c.d' }));
    });

    it('answers PIT-400 naming the failed constraint to an invalid join', async () => {
      const cases: [unknown, RegExp][] = [
        [{ name: '' }, /name must be longer than or equal to 1 characters/],
        [{ name: 'n'.repeat(33) }, /name must be shorter than or equal to 32 characters/],
        [{}, /name must be a string/],
        [{ name: 42 }, /name must be a string/],
      ];
      for (const [body, constraint] of cases) {
        const error = await ana.request('chat.room.join', body).catch((e: unknown) => e);
        expect(error).toEqual(failure('PIT-400', { name: expect.stringMatching(constraint) }));
      }
      // the bounds themselves are fine, and nobody joined on the failed attempts
      await expect(join(ana, 'n'.repeat(32))).resolves.toEqual(['n'.repeat(32)]);
      await expect(join(bob, 'b')).resolves.toEqual(['n'.repeat(32), 'b']);
    });

    it('answers PIT-400 to a Request to the notify route chat.room.send', async () => {
      await join(ana, 'ana');
      await expect(ana.request('chat.room.send', { text: 'hi' })).rejects.toEqual(
        failure('PIT-400', { route: 'chat.room.send' }),
      );
      await join(bob, 'bob');
      // it was not handled as a message either
      await exchange(bob, 'bob', [ana, bob], 'first real message');
    });

    it('answers nothing to a send before join, and the connection stays usable', async () => {
      await join(bob, 'bob');
      ana.notify('chat.room.send', { text: 'too early' });
      // a round trip on ana's connection: anything the notify caused would have come first
      await expect(ana.request('chat.room.leave')).resolves.toEqual({ ok: true });
      await expect(join(ana, 'ana')).resolves.toEqual(['bob', 'ana']);
      await exchange(ana, 'ana', [ana, bob], 'now in the room');
      expect(logs).toContainEqual(
        expect.objectContaining({ msg: 'notify failed', code: 'PIT-400', reason: 'join the room before sending' }),
      );
    });

    it('broadcasts nothing for a text of 501 characters, and logs the failed constraint', async () => {
      await join(ana, 'ana');
      await join(bob, 'bob');
      ana.notify('chat.room.send', { text: 't'.repeat(501) });
      ana.notify('chat.room.send', { text: '' });
      await exchange(ana, 'ana', [ana, bob], 't'.repeat(500));
      expect(bob.pending('onMessage')).toEqual([]);
      const failed = logs.filter((line) => line.msg === 'notify failed');
      expect(failed).toEqual([
        expect.objectContaining({
          route: 'chat.room.send',
          code: 'PIT-400',
          reason: expect.stringMatching(/text must be shorter than or equal to 500 characters/),
        }),
        expect.objectContaining({
          code: 'PIT-400',
          reason: expect.stringMatching(/text must be longer than or equal to 1 characters/),
        }),
      ]);
    });

    it('answers nothing to a notify of the request route chat.room.join', async () => {
      await join(bob, 'bob');
      ana.notify('chat.room.join', { name: 'ana' });
      await expect(ana.request('chat.room.leave')).resolves.toEqual({ ok: true });
      // the notify joined nobody
      await expect(join(ana, 'ana')).resolves.toEqual(['bob', 'ana']);
    });
  });

  describe('bodies only a raw client can send', () => {
    let raw: PinusPeer;

    beforeEach(async () => {
      raw = await track(pinusPeer(server, transport));
    });

    it('answers PIT-400 to a body that is not JSON, and the connection stays usable', async () => {
      for (const body of ['{"name": "ana"', 'not json', '\u00ff\u00fe']) {
        const response = await raw.client.requestBytes('chat.room.join', Buffer.from(body, 'latin1'));
        expect(response).toMatchObject({ error: true, body: failure('PIT-400') });
      }
      await expect(join(raw, 'ana')).resolves.toEqual(['ana']);
    });

    it('answers PIT-400 to JSON that is not an object', async () => {
      for (const body of ['[]', '"ana"', 'null', '42']) {
        const response = await raw.client.requestBytes('chat.room.join', Buffer.from(body));
        expect(response).toMatchObject({ error: true, body: failure('PIT-400') });
      }
      await expect(join(raw, 'ana')).resolves.toEqual(['ana']);
    });

    it('sends exactly one Data packet per request, and none for a failed notify', async () => {
      await join(raw, 'ana');
      const before = raw.client.received.length;
      raw.client.notify('chat.room.send', { text: '' });
      raw.client.notify('chat.room.nope', {});
      await raw.request('chat.room.leave');
      const after = raw.client.received.slice(before).filter((p) => p.type === 4);
      expect(after).toHaveLength(1);
      expect(raw.client.violations).toEqual([]);
    });
  });
});
