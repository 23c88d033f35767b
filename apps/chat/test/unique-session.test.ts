import 'reflect-metadata';
import { Package } from 'pinus-protocol';
import { waitFor } from '@pitaya-ts/testing';
import {
  clientPeer,
  ClientPeer,
  closeAll,
  exchange,
  join,
  peer,
  pinusPeer,
  PinusPeer,
  startChat,
  TRANSPORTS,
  withTimeout,
  type ChatServer,
  type Peer,
} from './helpers';
import type { Transport } from './pinus-client';

type First = 'client' | 'libpitaya' | 'pomelo';

async function firstPeer(server: ChatServer, kind: First, transport: Transport): Promise<Peer> {
  if (kind === 'client') return clientPeer(server, transport);
  return pinusPeer(server, transport, { handshake: kind });
}

/** Waits until the server holds `count` sessions (closes are handled asynchronously). */
function sessionsSettle(server: ChatServer, count: number): Promise<void> {
  return waitFor(() => server.app.sessions.count === count, `${count} sessions`);
}

/** How the first session learns it was kicked, per client. */
function expectKicked(first: Peer, kind: First): void {
  if (first instanceof ClientPeer) {
    expect(first.kicks).toEqual([undefined]); // Pitaya kicks with an empty body
    expect(first.closeReason?.code).toBe('KICKED');
    return;
  }
  const kick = first instanceof PinusPeer ? first.client.kick : undefined;
  expect(kick?.type).toBe(Package.TYPE_KICK);
  if (kind === 'libpitaya') {
    // 05 00 00 00
    expect(kick!.body).toHaveLength(0);
  } else {
    expect(JSON.parse(kick!.body.toString())).toEqual({ reason: expect.any(String) });
  }
}

const cases: { first: First; second: 'client' | 'pinus' }[] = [
  { first: 'client', second: 'client' },
  { first: 'libpitaya', second: 'pinus' },
  { first: 'pomelo', second: 'client' },
];

describe.each(TRANSPORTS)('unique sessions over %s', (transport) => {
  let server: ChatServer;
  let peers: Peer[] = [];
  const other: Transport = transport === 'ws' ? 'tcp' : 'ws';

  beforeEach(async () => {
    server = await startChat();
  });

  afterEach(async () => {
    await closeAll(...peers);
    peers = [];
    await server.stop();
  });

  it.each(cases)('a second $second session named ana kicks the first ($first)', async ({ first, second }) => {
    const ana1 = await firstPeer(server, first, transport);
    const bob = await peer(server, 'client', other);
    const ana2 = await peer(server, second, other);
    peers.push(ana1, bob, ana2);

    await expect(join(ana1, 'ana')).resolves.toEqual(['ana']);
    await expect(join(bob, 'bob')).resolves.toEqual(['ana', 'bob']);
    await expect(ana1.nextPush('onJoin')).resolves.toEqual({ name: 'bob' });

    // the name stays in the room, and is not announced again
    await expect(join(ana2, 'ana')).resolves.toEqual(['ana', 'bob']);
    await withTimeout(ana1.closed, 2000, 'the first session to be kicked');
    expectKicked(ana1, first);
    await sessionsSettle(server, 2);

    // bob's round trip: an onLeave or onJoin caused by the kick would have arrived before its answer
    await expect(bob.request('chat.room.nope')).rejects.toMatchObject({ code: 'PIT-404' });
    expect(bob.pending('onLeave')).toEqual([]);
    expect(bob.pending('onJoin')).toEqual([]);
    expect(await server.app.groups.members('room')).toEqual(['ana', 'bob']);
    expect(server.app.sessions.getByUid('ana')).toBeDefined();

    // the new session speaks as ana, and hears the room
    await exchange(ana2, 'ana', [ana2, bob], 'it is me again');
    await exchange(bob, 'bob', [ana2, bob], 'welcome back');
    expect(ana1.pending('onMessage')).toEqual([]);

    // now ana really leaves
    await ana2.close();
    await expect(bob.nextPush('onLeave')).resolves.toEqual({ name: 'ana' });
    expect(await server.app.groups.members('room')).toEqual(['bob']);
  });

  it('kicks through several takeovers, the room keeping one ana', async () => {
    const bob = await clientPeer(server, transport);
    peers.push(bob);
    await join(bob, 'bob');
    let previous: Peer | undefined;
    for (let i = 0; i < 4; i++) {
      const ana = await peer(server, i % 2 ? 'pinus' : 'client', i % 2 ? other : transport);
      peers.push(ana);
      await expect(join(ana, 'ana')).resolves.toEqual(['bob', 'ana']);
      if (previous) await withTimeout(previous.closed, 2000, `takeover ${i}`);
      previous = ana;
    }
    await sessionsSettle(server, 2);
    await expect(bob.nextPush('onJoin')).resolves.toEqual({ name: 'ana' });
    await exchange(previous!, 'ana', [previous!, bob], 'last one');
    expect(bob.pending('onJoin')).toEqual([]);
    expect(bob.pending('onLeave')).toEqual([]);
  });
});
