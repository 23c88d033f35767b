import 'reflect-metadata';
import { ClientError, PitayaError as ClientPitayaError, connect, type CloseReason } from '@pitaya-ts/client';
import { inject } from 'inversify';
import { Handler, TOKENS, type HandlerContext, type SessionPool } from '@pitaya-ts/core';
import { OrderedDispatcher } from '@pitaya-ts/core/provider';
import { Harness, captureLogger, deferred, tcpAcceptor, urlOf, waitFor, wsAcceptor } from './helpers';
import { ReadCounter } from './request-loops';

const harness = new Harness();
afterEach(() => harness.cleanup());

let started = deferred();
let gate = deferred();
let stopping = deferred();
const log: string[] = [];

@Handler()
class WorkHandler {
  async slow(_body: unknown, { session }: HandlerContext): Promise<string> {
    session.onClose(async () => {
      await new Promise((resolve) => setImmediate(resolve));
      log.push('session closed');
    });
    started.resolve();
    await gate.promise;
    log.push('handler done');
    return 'finished';
  }

  beforeShutdown(): void {
    log.push('beforeShutdown');
    stopping.resolve();
  }

  shutdown(): void {
    log.push('shutdown');
  }
}

/** A handler that pushes to another user once the test lets it go. */
@Handler()
class RelayHandler {
  constructor(@inject(TOKENS.SessionPool) private readonly pool: SessionPool) {}

  async login(body: { uid: string }, { session }: HandlerContext): Promise<string> {
    await session.bind(body.uid);
    return 'ok';
  }

  async relay(body: { to: string }): Promise<string> {
    started.resolve();
    await gate.promise;
    await this.pool.getByUid(body.to)?.push('onRelay', { text: 'late news' });
    return 'relayed';
  }
}

/** The dispatcher, telling when the stop starts waiting for the handlers in flight. */
class WatchedDispatcher extends OrderedDispatcher {
  readonly waited = deferred();

  override idle(): Promise<void> {
    this.waited.resolve();
    return super.idle();
  }
}

beforeEach(() => {
  started = deferred();
  gate = deferred();
  stopping = deferred();
  log.length = 0;
});

describe.each([
  ['WebSocket', wsAcceptor],
  ['TCP', tcpAcceptor],
])('graceful stop over %s', (_transport, acceptor) => {
  it('stops accepting, answers requests in flight, runs close callbacks and closes clients', async () => {
    const app = await harness.server({ handlers: [WorkHandler], acceptors: [acceptor()] });
    const url = urlOf(app);
    const client = await harness.client(app);
    const closed = deferred<CloseReason>();
    client.events.on('close', (reason) => closed.resolve(reason));
    const poolClosed = jest.fn();
    app.sessions.onSessionClose(poolClosed);

    const answer = client.request('game.work.slow', {}, { timeout: 5000 });
    await started.promise;
    const stopped = app.stop().then(() => log.push('stopped'));
    await stopping.promise;

    // no new connections once stopping
    const refused = await connect(url, { timeout: 1000 }).then(
      async (late) => {
        await late.close();
        return new Error('a client connected to a stopping server');
      },
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(ClientError);
    expect((refused as ClientError).code).toMatch(/CONNECT_FAILED|TIMEOUT/);

    // the request in flight is answered before the connection goes
    expect(log).toEqual(['beforeShutdown']);
    gate.resolve();
    await expect(answer).resolves.toBe('finished');
    await stopped;
    expect(log).toEqual(['beforeShutdown', 'handler done', 'session closed', 'shutdown', 'stopped']);
    expect(poolClosed).toHaveBeenCalledTimes(1);
    await expect(closed.promise).resolves.toMatchObject({ code: 'TRANSPORT_CLOSED' });
    expect(client.connected).toBe(false);
    expect(app.sessions.count).toBe(0);
    expect(app.running).toBe(false);
  });
});

describe('stop with a handler in flight', () => {
  it('keeps every connection open until it is done: what it pushes reaches clients with nothing in flight', async () => {
    const dispatcher = new WatchedDispatcher(25);
    const app = await harness.server({
      handlers: [RelayHandler],
      beforeStart: (app) => void app.container.rebind(TOKENS.Dispatcher).toConstantValue(dispatcher),
    });
    const idle = await harness.client(app);
    await idle.request('game.relay.login', { uid: 'idle' });
    const pushes: unknown[] = [];
    idle.on('onRelay', (body) => void pushes.push(body));
    const idleClosed = deferred();
    idle.events.on('close', () => idleClosed.resolve());
    const busy = await harness.client(app);

    const answer = busy.request('game.relay.relay', { to: 'idle' }, { timeout: 5000 });
    await started.promise;
    const stopped = app.stop();
    await dispatcher.waited.promise; // the stop waits for the handler: the connections are to close next
    gate.resolve();
    await expect(answer).resolves.toBe('relayed');
    await stopped;
    await idleClosed.promise;
    expect(pushes).toEqual([{ text: 'late news' }]);
  });
});

describe('session drain', () => {
  const drain = {
    'pitaya.session.drain.enabled': true,
    'pitaya.session.drain.timeout': '300ms',
    'pitaya.session.drain.period': '20ms',
  };

  it('waits for the sessions to end before shutting down', async () => {
    const { logger, lines } = captureLogger('info');
    // a drain timeout no test outlives: only the session's end can finish the stop
    const config = { ...drain, 'pitaya.session.drain.timeout': '1h' };
    const app = await harness.server({ handlers: [WorkHandler], config, logger });
    const client = await harness.client(app);
    let stopped = false;
    const stop = app.stop().then(() => (stopped = true));
    const draining = () => lines.filter((l) => l.msg === 'draining sessions').length;
    await waitFor(() => draining() >= 3, 'three drain periods');
    expect(stopped).toBe(false);
    expect(log).not.toContain('beforeShutdown'); // still draining
    await client.close();
    await stop;
    expect(log).toEqual(['beforeShutdown', 'shutdown']);
  });

  it('gives up waiting after pitaya.session.drain.timeout', async () => {
    const app = await harness.server({ handlers: [WorkHandler], config: drain });
    const client = await harness.client(app);
    const closed = new Promise((resolve) => client.events.on('close', resolve));
    const begin = Date.now();
    await app.stop();
    // the client never leaves: the stop ends at the drain timeout, not before
    expect(Date.now() - begin).toBeGreaterThanOrEqual(280);
    await closed;
  });
});

describe('pitaya.shutdown.timeout', () => {
  it('answers what is still running or queued with PIT-503 when it passes, then closes', async () => {
    const reads = new ReadCounter();
    const app = await harness.server({
      handlers: [WorkHandler],
      acceptors: [reads.wrap(tcpAcceptor())],
      config: { 'pitaya.shutdown.timeout': '200ms' },
    });
    const client = await harness.client(app);
    const closed = deferred<CloseReason>();
    client.events.on('close', (reason) => closed.resolve(reason));

    const running = client.request('game.work.slow', {}, { timeout: 10_000 }).catch((err: unknown) => err);
    await started.promise;
    // queued behind the first once read: a session's messages run in order
    const queued = client.request('game.work.slow', {}, { timeout: 10_000 }).catch((err: unknown) => err);
    await waitFor(() => reads.read === 2, 5000, 'the second request to be read');
    await app.stop(); // the handler never finishes: the stop does not wait for it past the timeout

    for (const answer of [await running, await queued]) {
      expect(answer).toBeInstanceOf(ClientPitayaError);
      expect(answer).toMatchObject({ code: 'PIT-503', msg: 'server shutting down' });
    }
    await expect(closed.promise).resolves.toMatchObject({ code: 'TRANSPORT_CLOSED' });
    gate.resolve(); // the handler ends late: nothing more reaches the client
  });
});
