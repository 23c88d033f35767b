import 'reflect-metadata';
import pino from 'pino';
import { NO_TRACER } from '@pitaya-ts/core';
import { RpcMsgType, RpcType, type RpcRequest } from '@pitaya-ts/core/provider';
import { ClusterRequestHandler, type ClusterRequestHandlerDeps } from '../src/cluster/cluster-request-handler';
import type { RemoteService } from '../src/handler/remote-service';
import { RouteParser } from '../src/routing/route';

const request = (reqTimeout: string): RpcRequest => ({
  type: RpcType.User,
  msg: { id: 0, route: 'room.r.hang', data: new Uint8Array(0), type: RpcMsgType.Request },
  frontendId: '',
  metadata: { reqTimeout },
});

describe("the deadline of an RPC a server handles (the caller's reqTimeout)", () => {
  afterEach(() => jest.restoreAllMocks());

  it('does not keep the process alive for a handler that never ends', async () => {
    const hang = { callSerialized: () => new Promise(() => undefined) } as unknown as RemoteService;
    const handler = new ClusterRequestHandler({
      routes: new RouteParser('room'),
      remotes: hang,
      logger: pino({ level: 'silent' }),
      tracer: NO_TRACER,
    } as unknown as ClusterRequestHandlerDeps);
    const timers = jest.spyOn(global, 'setTimeout');
    void handler.handle(request('1h'));
    const deadline = timers.mock.results.at(-1)!.value as NodeJS.Timeout;
    const referenced = deadline.hasRef();
    clearTimeout(deadline);
    expect(timers.mock.calls.at(-1)![1]).toBe(3_600_000);
    // a stopped server's process may exit: nobody will want that answer anyway
    expect(referenced).toBe(false);
  });
});
