import 'reflect-metadata';
import {
  CLIENT_KINDS,
  closeAll,
  clientPeer,
  exchange,
  join,
  peer,
  PinusPeer,
  pinusPeer,
  startChat,
  TRANSPORTS,
  type ChatServer,
  type Peer,
} from './helpers';

let server: ChatServer;
let peers: Peer[] = [];

async function track<T extends Peer>(p: Promise<T>): Promise<T> {
  const value = await p;
  peers.push(value);
  return value;
}

beforeEach(async () => {
  server = await startChat();
});

afterEach(async () => {
  // pinus reads one packet per WebSocket frame: the server must never batch them
  for (const p of peers) if (p instanceof PinusPeer) expect(p.client.violations).toEqual([]);
  await closeAll(...peers);
  peers = [];
  await server.stop();
});

describe.each(TRANSPORTS)('chat over %s', (transport) => {
  describe.each(CLIENT_KINDS)('with %s peers', (kind) => {
    it('joins, chats, leaves, and announces a disconnect', async () => {
      const ana = await track(peer(server, kind, transport));
      const bob = await track(peer(server, kind, transport));
      const cat = await track(peer(server, kind, transport));

      await expect(join(ana, 'ana')).resolves.toEqual(['ana']);
      await expect(join(bob, 'bob')).resolves.toEqual(['ana', 'bob']);
      await expect(ana.nextPush('onJoin')).resolves.toEqual({ name: 'bob' });
      await expect(join(cat, 'cat')).resolves.toEqual(['ana', 'bob', 'cat']);
      await expect(ana.nextPush('onJoin')).resolves.toEqual({ name: 'cat' });
      await expect(bob.nextPush('onJoin')).resolves.toEqual({ name: 'cat' });

      // everyone gets the message, the sender included
      await exchange(bob, 'bob', [ana, bob, cat], 'hello room');

      await expect(cat.request('chat.room.leave')).resolves.toEqual({ ok: true });
      await expect(ana.nextPush('onLeave')).resolves.toEqual({ name: 'cat' });
      await expect(bob.nextPush('onLeave')).resolves.toEqual({ name: 'cat' });

      // cat left: the next message reaches ana and bob only
      await exchange(ana, 'ana', [ana, bob], 'cat is gone');
      // a round trip on cat's connection: anything pushed to it before would have arrived
      await expect(cat.request('chat.room.leave')).resolves.toEqual({ ok: true });
      expect(cat.pending('onMessage')).toEqual([]);
      // nobody is told about their own arrival or departure
      for (const p of [ana, bob, cat]) expect(p.pending('onJoin')).toEqual([]);
      expect(cat.pending('onLeave')).toEqual([]);

      await ana.close();
      await expect(bob.nextPush('onLeave')).resolves.toEqual({ name: 'ana' });
      const dan = await track(peer(server, kind, transport));
      await expect(join(dan, 'dan')).resolves.toEqual(['bob', 'dan']);
      await expect(bob.nextPush('onJoin')).resolves.toEqual({ name: 'dan' });
    });

    it('delivers one sender’s messages in the order sent', async () => {
      const ana = await track(peer(server, kind, transport));
      const bob = await track(peer(server, kind, transport));
      await join(ana, 'ana');
      await join(bob, 'bob');
      const texts = Array.from({ length: 20 }, (_, i) => `message ${i}`);
      for (const text of texts) ana.notify('chat.room.send', { text });
      for (const text of texts) await expect(bob.nextPush('onMessage')).resolves.toEqual({ from: 'ana', text });
    });

    it('keeps text intact: unicode, quotes and the longest allowed text', async () => {
      const ana = await track(peer(server, kind, transport));
      await join(ana, 'ana');
      for (const text of ['olá, 世界 🎲', '"quoted" \\ back\nslash', 'x'.repeat(500)]) {
        await exchange(ana, 'ana', [ana], text);
      }
    });
  });
});

describe('mixed clients in one room', () => {
  it('chats between pinus and packages/client peers over WebSocket and TCP', async () => {
    const members = [
      { name: 'pws', peer: await track(pinusPeer(server, 'ws')) },
      { name: 'ctcp', peer: await track(clientPeer(server, 'tcp')) },
      { name: 'ptcp', peer: await track(pinusPeer(server, 'tcp', { handshake: 'libpitaya' })) },
      { name: 'cws', peer: await track(clientPeer(server, 'ws')) },
    ];
    const joined: string[] = [];
    for (const { name, peer: p } of members) {
      joined.push(name);
      await expect(join(p, name)).resolves.toEqual(joined);
    }
    for (const [i, { name }] of members.entries()) {
      for (const { peer: earlier } of members.slice(0, i)) {
        await expect(earlier.nextPush('onJoin')).resolves.toEqual({ name });
      }
    }
    const everyone = members.map((m) => m.peer);
    for (const { name, peer: p } of members) await exchange(p, name, everyone, `hi from ${name}`);

    await members[1]!.peer.close();
    for (const p of [everyone[0]!, everyone[2]!, everyone[3]!]) {
      await expect(p.nextPush('onLeave')).resolves.toEqual({ name: 'ctcp' });
    }
    await exchange(everyone[2]!, 'ptcp', [everyone[0]!, everyone[2]!, everyone[3]!], 'still here');
  });
});
