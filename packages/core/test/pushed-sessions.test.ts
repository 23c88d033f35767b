import { BackendSession, PushedSessions, takeForwardPlace, type BackendSessionOps } from '@pitaya-ts/core/provider';

const session = (level: number) => ({ id: 7, uid: 'ana', data: new TextEncoder().encode(JSON.stringify({ level })) });

/** A backend session of forward `seq` whose pushes the frontend takes (or refuses). */
function forward(
  pushed: PushedSessions,
  seq: number,
  options: { refuse?: boolean; timeoutMs?: number; uid?: string } = {},
) {
  const take = () => (options.refuse ? Promise.reject(new Error('refused')) : Promise.resolve());
  const ops: BackendSessionOps = {
    bindOnFrontend: take,
    pushSessionToFrontend: take,
    kickOnFrontend: async () => undefined,
    pushToUser: async () => undefined,
  };
  const snapshot = { ...session(1), uid: options.uid ?? 'ana' };
  return BackendSession.fromSnapshot(snapshot, 'f', ops, pushed.recorder('f/7', seq, options.timeoutMs ?? 5000));
}

const levelOf = (s: { data?: Uint8Array } | undefined) =>
  (JSON.parse(new TextDecoder().decode(s?.data)) as { level: number }).level;

describe('PushedSessions', () => {
  it('gives the forwards sent before a push reached the frontend the pushed session, until one says it has it', async () => {
    const pushed = new PushedSessions();
    const first = forward(pushed, 10);
    first.set('level', 2);
    await first.pushToFront();
    // sent while forward 10 was on its way (answered up to 9): its snapshot predates the push
    expect(levelOf(pushed.snapshotFor('f/7', { seq: 11, answered: 9 }, session(1)))).toBe(2);
    // another session, or a forward sent after forward 10 was answered: its own snapshot
    expect(pushed.snapshotFor('f/8', { seq: 12, answered: 9 }, session(1))).toEqual(session(1));
    expect(pushed.snapshotFor('f/7', { seq: 12, answered: 11 }, session(3))).toEqual(session(3));
    expect(pushed.size).toBe(0);
  });

  it('remembers only what the frontend took, the latest of it, a bind with its uid', async () => {
    const pushed = new PushedSessions();
    const refused = forward(pushed, 3, { refuse: true });
    await expect(refused.pushToFront()).rejects.toThrow('refused');
    expect(pushed.size).toBe(0);
    const taken = forward(pushed, 4);
    taken.set('level', 5);
    await taken.pushToFront();
    taken.set('level', 6);
    await taken.pushToFront();
    const later = pushed.snapshotFor('f/7', { seq: 5, answered: 3 }, session(1));
    expect(levelOf(later)).toBe(6);
    const binding = forward(pushed, 6, { uid: '' });
    await binding.bind('bo');
    expect(pushed.snapshotFor('f/7', { seq: 7, answered: 5 }, session(1))).toMatchObject({ uid: 'bo' });
  });

  it('forgets a push once the deadline of the forward that made it has passed', async () => {
    const pushed = new PushedSessions();
    await forward(pushed, 1, { timeoutMs: -1 }).pushToFront();
    expect(pushed.snapshotFor('f/7', { seq: 2, answered: 0 }, session(1))).toEqual(session(1));
    expect(pushed.size).toBe(0);
  });
});

describe('takeForwardPlace', () => {
  it('reads [seq, answered] and leaves it out of the metadata the handler passes on', () => {
    const metadata: Record<string, unknown> = { 'pitaya-ts.order': [12, 10], 'peer.id': 'c' };
    expect(takeForwardPlace(metadata)).toEqual({ seq: 12, answered: 10 });
    expect(JSON.parse(JSON.stringify(metadata))).toEqual({ 'peer.id': 'c' });
    expect(takeForwardPlace({ 'pitaya-ts.order': 'x' })).toBeUndefined();
    expect(takeForwardPlace({})).toBeUndefined();
  });
});
