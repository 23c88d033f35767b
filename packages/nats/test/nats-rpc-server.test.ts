import 'reflect-metadata';
import pino from 'pino';
import { Metric, type MetricsReporter, type ServerInfo } from '@pitaya-ts/core';
import { RpcMsgType, RpcType, type RpcHandler } from '@pitaya-ts/core/provider';
import { NatsRpcClient, NatsRpcServer } from '@pitaya-ts/nats';
import { startNatsServer, waitFor, type NatsServer } from '@pitaya-ts/testing';

const logger = pino({ level: 'silent' });
const server: ServerInfo = { id: 'busy-1', type: 'busy', frontend: false, hostname: 'h', metadata: {} };
const caller: ServerInfo = { id: 'caller-1', type: 'caller', frontend: false, hostname: 'h', metadata: {} };

describe('NATS RPC server under load', () => {
  let nats: NatsServer;

  beforeAll(async () => {
    nats = await startNatsServer();
  });

  afterAll(() => nats?.stop());

  it('processes at most `services` RPCs at once, queues up to the backlog, and refuses and counts the rest', async () => {
    let running = 0;
    let peak = 0;
    // the calls taken wait until the refused ones were answered
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const handler: RpcHandler = {
      handle: async () => {
        peak = Math.max(peak, ++running);
        await gate;
        running--;
        return { data: new TextEncoder().encode('done') };
      },
      pushToUser: () => undefined,
      kickUser: () => undefined,
      bindAnnounced: () => undefined,
    };
    const dropped: number[] = [];
    const reporter = {
      reportCount: (metric: string, _labels: unknown, n: number) =>
        metric === Metric.DroppedMessages && dropped.push(n),
      reportGauge: () => undefined,
      reportSummary: () => undefined,
      reportHistogram: () => undefined,
    } as MetricsReporter;
    const rpcServer = new NatsRpcServer({
      url: nats.url,
      connectTimeoutMs: 2000,
      maxReconnectAttempts: 1,
      concurrency: 2,
      backlog: 1,
      self: server,
      reporter,
      logger,
    });
    await rpcServer.start(handler);
    const client = new NatsRpcClient({
      url: nats.url,
      connectTimeoutMs: 2000,
      maxReconnectAttempts: 1,
      self: caller,
      logger,
    });
    await client.start();

    const request = {
      type: RpcType.User,
      msg: { id: 0, route: 'busy.r.m', data: new Uint8Array(), type: RpcMsgType.Request },
      frontendId: '',
      metadata: {},
    };
    const calls = Array.from({ length: 6 }, () => client.call(server, request, 5000));
    await waitFor(() => dropped.length === 3, 'three calls refused');
    open();
    const answers = await Promise.all(calls);
    const done = answers.filter((a) => !a.error);
    const refused = answers.filter((a) => a.error);
    expect(done).toHaveLength(3); // 2 running + 1 waiting
    expect(refused).toHaveLength(3);
    for (const answer of refused)
      expect(answer.error).toMatchObject({ code: 'PIT-500', msg: expect.stringContaining('overloaded') });
    expect(peak).toBe(2);
    expect(dropped).toEqual([1, 1, 1]);
    await client.stop();
    await rpcServer.stop();
  });

  it('answers PIT-500 at once for a server nobody serves any more', async () => {
    const client = new NatsRpcClient({
      url: nats.url,
      connectTimeoutMs: 2000,
      maxReconnectAttempts: 1,
      self: caller,
      logger,
    });
    await client.start();
    const gone: ServerInfo = { ...server, id: 'gone-1' };
    const request = {
      type: RpcType.User,
      msg: { id: 0, route: 'busy.r.m', data: new Uint8Array(), type: RpcMsgType.Request },
      frontendId: '',
      metadata: {},
    };
    // "unreachable", not "timeout": NATS said at once that nobody serves it
    await expect(client.call(gone, request, 5000)).rejects.toMatchObject({
      code: 'PIT-500',
      message: expect.stringContaining('unreachable'),
    });
    await client.stop();
  });

  it('stopping: past the timeout, what still runs is answered PIT-503 and what never ran is sent elsewhere', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered = 0;
    const handler: RpcHandler = {
      handle: async (request) => {
        entered++;
        if (request.msg.route === 'busy.r.stuck') await gate;
        return { data: new TextEncoder().encode(request.msg.route) };
      },
      pushToUser: () => undefined,
      kickUser: () => undefined,
      bindAnnounced: () => undefined,
    };
    const rpcServer = new NatsRpcServer({
      url: nats.url,
      connectTimeoutMs: 2000,
      maxReconnectAttempts: 1,
      concurrency: 1,
      backlog: 5,
      self: server,
      reporter: { reportCount: () => undefined } as unknown as MetricsReporter,
      logger,
    });
    await rpcServer.start(handler);
    const client = new NatsRpcClient({
      url: nats.url,
      connectTimeoutMs: 2000,
      maxReconnectAttempts: 1,
      self: caller,
      logger,
    });
    await client.start();
    const call = (route: string) =>
      client.call(
        server,
        {
          type: RpcType.User,
          msg: { id: 0, route, data: new Uint8Array(), type: RpcMsgType.Request },
          frontendId: '',
          metadata: {},
        },
        10_000,
      );

    const stuck = call('busy.r.stuck'); // runs, and outlasts the stop
    await waitFor(() => entered === 1, 5000, 'the first RPC to run');
    const queued = call('busy.r.queued'); // waits behind it (one at a time), never runs
    await waitFor(() => (rpcServer as unknown as { waiting: unknown[] }).waiting.length === 1, 5000, 'the queued RPC');
    await rpcServer.stop(200);

    await expect(stuck).resolves.toMatchObject({ error: { code: 'PIT-503', msg: 'server shutting down' } });
    // it was not handled here: the caller may send it to another server
    await expect(queued).resolves.toMatchObject({ error: { code: 'PIT-500', metadata: { notRun: 'true' } } });
    expect(entered).toBe(1);
    release(); // the late answer goes nowhere, and fails nothing
    await expect(call('busy.r.after')).rejects.toMatchObject({ message: expect.stringContaining('unreachable') });
    await client.stop();
  });
});
