import 'reflect-metadata';
import { bootstrap, Handler, Request, TOKENS, type PitayaApp } from '@pitaya-ts/core';
import { RpcMsgType, RpcType, type RpcRequest } from '@pitaya-ts/core/provider';
import { deferred } from './helpers';

const gate = deferred();
const ran: string[] = [];

@Handler('room')
class RoomHandler {
  @Request()
  async gate() {
    ran.push('gate');
    await gate.promise;
    return { ok: true };
  }

  @Request()
  mark(body: { name: string }) {
    ran.push(body.name);
    return { ok: true };
  }
}

const forward = (route: string, body: unknown, reqTimeout: string): RpcRequest => ({
  type: RpcType.Sys,
  session: { id: 1, uid: '', data: new TextEncoder().encode('{}') },
  msg: { id: 1, route, data: new TextEncoder().encode(JSON.stringify(body)), type: RpcMsgType.Request },
  frontendId: 'connector-1',
  metadata: { reqTimeout },
});

describe("a backend's turns for a session's forwards", () => {
  let app: PitayaApp;

  beforeAll(async () => {
    app = await bootstrap({
      serverType: 'room',
      handlers: [RoomHandler],
      handleSignals: false,
      config: { 'pitaya.log.level': 'silent' },
    });
    await app.start();
  });

  afterAll(async () => {
    jest.useRealTimers();
    await app.stop();
  });

  it('runs them in arrival order, and refuses one whose deadline passed while it waited its turn', async () => {
    const handler = app.container.get(TOKENS.ClusterRequestHandler);
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const first = handler.handle(forward('room.room.gate', {}, '5s'));
    const expiring = handler.handle(forward('room.room.mark', { name: 'expiring' }, '1s'));
    const patient = handler.handle(forward('room.room.mark', { name: 'patient' }, '10s'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(ran).toEqual(['gate']);
    // 2 s behind the first: past the second's deadline, within the third's
    await jest.advanceTimersByTimeAsync(2000);
    gate.resolve();
    await expect(first).resolves.toMatchObject({ data: expect.any(Uint8Array) });
    await expect(expiring).resolves.toMatchObject({ error: { code: 'PIT-408' } });
    await expect(patient).resolves.toMatchObject({ data: expect.any(Uint8Array) });
    expect(ran).toEqual(['gate', 'patient']);
  });
});
