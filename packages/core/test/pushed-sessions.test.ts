import { PushedSessions, takeForwardPlace, type BackendSessionOps } from '@pitaya-ts/core/provider';

const ops = (): BackendSessionOps => ({
  bindOnFrontend: async () => undefined,
  pushSessionToFrontend: async () => undefined,
  kickOnFrontend: async () => undefined,
  pushToUser: async () => undefined,
});
const session = (level: number) => ({ id: 7, uid: 'ana', data: new TextEncoder().encode(JSON.stringify({ level })) });

describe('PushedSessions', () => {
  it('gives the forwards sent before a push reached the frontend the pushed session, until one says it has it', async () => {
    const pushed = new PushedSessions();
    const first = pushed.recording('f/7', 10, 5000, ops());
    await first.pushSessionToFrontend('f', session(2));
    // sent while forward 10 was on its way (answered up to 9): its snapshot predates the push
    expect(pushed.snapshotFor('f/7', { seq: 11, answered: 9 }, session(1))).toEqual(session(2));
    // another session, or a forward sent after forward 10 was answered: its own snapshot
    expect(pushed.snapshotFor('f/8', { seq: 12, answered: 9 }, session(1))).toEqual(session(1));
    expect(pushed.snapshotFor('f/7', { seq: 12, answered: 11 }, session(3))).toEqual(session(3));
    expect(pushed.size).toBe(0);
  });

  it('remembers only pushes that reached the frontend, the latest of them', async () => {
    const pushed = new PushedSessions();
    const failing = { ...ops(), bindOnFrontend: () => Promise.reject(new Error('refused')) };
    await expect(pushed.recording('f/7', 3, 5000, failing).bindOnFrontend('f', session(5))).rejects.toThrow('refused');
    expect(pushed.size).toBe(0);
    const recording = pushed.recording('f/7', 4, 5000, ops());
    await recording.bindOnFrontend('f', session(5));
    await recording.pushSessionToFrontend('f', session(6));
    expect(pushed.snapshotFor('f/7', { seq: 5, answered: 3 }, session(1))).toEqual(session(6));
  });

  it('forgets a push once the deadline of the forward that made it has passed', async () => {
    const pushed = new PushedSessions();
    await pushed.recording('f/7', 1, -1, ops()).pushSessionToFrontend('f', session(2));
    expect(pushed.snapshotFor('f/7', { seq: 2, answered: 0 }, session(1))).toEqual(session(1));
    expect(pushed.size).toBe(0);
  });
});

describe('takeForwardPlace', () => {
  it('reads [seq, answered] and takes it out of the metadata the handler sees', () => {
    const metadata: Record<string, unknown> = { 'pitaya-ts.order': [12, 10], 'peer.id': 'c' };
    expect(takeForwardPlace(metadata)).toEqual({ seq: 12, answered: 10 });
    expect(metadata).toEqual({ 'peer.id': 'c' });
    expect(takeForwardPlace({ 'pitaya-ts.order': 'x' })).toBeUndefined();
    expect(takeForwardPlace({})).toBeUndefined();
  });
});
