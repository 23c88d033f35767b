import 'reflect-metadata';
import { connect as natsConnect } from '@nats-io/transport-node';
import pino from 'pino';
import { type MetricsReporter, type ServerInfo } from '@pitaya-ts/core';
import { RpcMsgType, RpcType, type RpcHandler } from '@pitaya-ts/core/provider';
import { NatsRpcClient, NatsRpcServer } from '@pitaya-ts/nats';
import { errorMessage } from '@pitaya-ts/protocol';
import { freePort, startNatsServer, waitFor, type NatsServer } from '@pitaya-ts/testing';

const echo: ServerInfo = { id: 'echo-1', type: 'echo', frontend: false, hostname: 'h', metadata: {} };
const caller: ServerInfo = { id: 'caller-1', type: 'caller', frontend: false, hostname: 'h', metadata: {} };
const request = (text: string) => ({
  type: RpcType.User,
  msg: { id: 0, route: 'echo.r.m', data: new TextEncoder().encode(text), type: RpcMsgType.Request },
  frontendId: '',
  metadata: {},
});
const handler: RpcHandler = {
  handle: async (req) => ({ data: req.msg.data }),
  pushToUser: () => undefined,
  kickUser: () => undefined,
  bindAnnounced: () => undefined,
};
const reporter = {
  reportCount: () => undefined,
  reportGauge: () => undefined,
  reportSummary: () => undefined,
  reportHistogram: () => undefined,
} as unknown as MetricsReporter;
const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);

/** A silent logger that resolves `lost` when the connection reports its loss. */
function watchedLogger() {
  let onLost!: () => void;
  const lost = new Promise<void>((resolve) => (onLost = resolve));
  const logger = pino(
    { level: 'info' },
    {
      write: (line: string) => {
        if (line.includes('NATS connection lost')) onLost();
      },
    },
  );
  return { logger, lost };
}

describe('NATS RPC client', () => {
  let nats: NatsServer;

  beforeAll(async () => {
    nats = await startNatsServer();
  });

  afterAll(() => nats?.stop());

  const client = (logger = pino({ level: 'silent' }), maxReconnectAttempts = 20) =>
    new NatsRpcClient({ url: nats.url, connectTimeoutMs: 2000, maxReconnectAttempts, self: caller, logger });

  it('names NATS and its URL when it cannot connect', async () => {
    const url = `nats://127.0.0.1:${await freePort()}`;
    const unreachable = new NatsRpcClient({
      url,
      connectTimeoutMs: 2000,
      maxReconnectAttempts: 0,
      self: caller,
      logger: pino({ level: 'silent' }),
    });
    await expect(unreachable.start()).rejects.toThrow(`cannot connect to NATS at ${url}: `);
  });

  it('holds the calls made while NATS is away and sends them once it is back', async () => {
    const rpcServer = new NatsRpcServer({
      url: nats.url,
      connectTimeoutMs: 2000,
      maxReconnectAttempts: 20,
      concurrency: 10,
      backlog: 10,
      self: echo,
      reporter,
      logger: pino({ level: 'silent' }),
    });
    await rpcServer.start(handler);
    const watched = watchedLogger();
    const rpcClient = client(watched.logger);
    await rpcClient.start();
    expect(text((await rpcClient.call(echo, request('before'), 5000)).data)).toBe('before');

    await nats.stop();
    await watched.lost;
    // a deadline far beyond the test's: a call dropped with the connection would make the test fail
    const during = Array.from({ length: 5 }, (_, i) =>
      rpcClient.call(echo, request(`during ${i}`), 120_000).then(
        (answer) => ({ answer: text(answer.data) }),
        (err: unknown) => ({ error: errorMessage(err) }),
      ),
    );
    await nats.start();
    const outcomes = await Promise.all(during);
    outcomes.forEach((outcome, i) => {
      // the echo server may not have subscribed again yet when they go out: refused then, at once
      if ('error' in outcome) expect(outcome.error).toContain('unreachable');
      else expect(outcome.answer).toBe(`during ${i}`);
    });

    // and calls are answered again once both are back
    let answer: string | undefined;
    const answered = async () => {
      answer = await rpcClient.call(echo, request('after'), 5000).then(
        (r) => text(r.data),
        () => undefined,
      );
      return answer !== undefined;
    };
    await waitFor(answered, 20_000, 'a call answered after the restart');
    expect(answer).toBe('after');
    await rpcClient.stop();
    await rpcServer.stop();
  }, 30_000);

  it('fails a call nobody answers once NATS is given up on, with or without a caller deadline', async () => {
    // a subscriber that never answers
    const mute = await natsConnect({ servers: nats.url });
    mute.subscribe('pitaya/servers/mute/mute-1', { callback: () => undefined });
    await mute.flush();
    const rpcClient = client();
    await rpcClient.start();
    const target: ServerInfo = { ...echo, id: 'mute-1', type: 'mute' };
    await expect(rpcClient.call(target, request('anyone?'), 10)).rejects.toMatchObject({
      code: 'PIT-500',
      message: 'RPC to mute-1 failed: timeout',
    });
    await rpcClient.stop();
    await mute.close();
  });

  it('fails the calls in flight when it stops', async () => {
    const mute = await natsConnect({ servers: nats.url });
    mute.subscribe('pitaya/servers/mute/mute-2', { callback: () => undefined });
    await mute.flush();
    const rpcClient = client();
    await rpcClient.start();
    const target: ServerInfo = { ...echo, id: 'mute-2', type: 'mute' };
    const pending = rpcClient.call(target, request('anyone?'), 120_000);
    await rpcClient.stop();
    await expect(pending).rejects.toMatchObject({
      code: 'PIT-500',
      message: 'RPC to mute-2 failed: connection closed',
    });
    await mute.close();
  });

  it('fails calls at once when the connection is closed for good', async () => {
    const watched = watchedLogger();
    const rpcClient = client(watched.logger, 0);
    await rpcClient.start();
    await nats.stop();
    await watched.lost;
    try {
      // no reconnect attempts: the connection closes, and calls fail rather than wait
      await expect(rpcClient.call(echo, request('x'), 120_000)).rejects.toMatchObject({ code: 'PIT-500' });
    } finally {
      await nats.start();
      await rpcClient.stop();
    }
  });
});
