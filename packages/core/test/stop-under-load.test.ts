import 'reflect-metadata';
import { Handler } from '@pitaya-ts/core';
import { Harness, tcpAcceptor, waitFor, wsAcceptor } from './helpers';
import { ReadCounter, RequestLoops } from './request-loops';

const harness = new Harness();
afterEach(() => harness.cleanup());

const CLIENTS = 200;

@Handler()
class LoadHandler {
  async work(body: { n?: number }): Promise<{ n: number }> {
    // a turn of the event loop, as most real handlers take: requests overlap the stop
    await new Promise((resolve) => setImmediate(resolve));
    return { n: (body.n ?? 0) + 1 };
  }
}

describe.each([
  ['WebSocket', wsAcceptor],
  ['TCP', tcpAcceptor],
])('stopping under load over %s', (_transport, acceptor) => {
  it('answers every request it read, and cuts off only requests it never read', async () => {
    const reads = new ReadCounter();
    const app = await harness.server({ handlers: [LoadHandler], acceptors: [reads.wrap(acceptor())] });
    const clients = await Promise.all(Array.from({ length: CLIENTS }, () => harness.client(app, { timeout: 10_000 })));
    const loops = new RequestLoops(clients, 'game.load.work');
    await waitFor(() => loops.answered >= 5 * CLIENTS, 30_000, 'every client to be looping');

    await app.stop();
    await loops.done;

    expect(loops.failures).toEqual([]);
    // every request whose bytes the server read was answered...
    expect(loops.answered + loops.errored).toBe(reads.read);
    // ...and run, well within the shutdown timeout
    expect(loops.errors).toEqual({});
    // what was sent and not read is what the clients saw cut off by the close
    expect(loops.cutOff).toBe(loops.sent - reads.read);
    expect(loops.cutOff).toBeLessThanOrEqual(CLIENTS);
  }, 60_000);
});
