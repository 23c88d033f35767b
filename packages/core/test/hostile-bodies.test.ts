import 'reflect-metadata';
import { Transform } from 'class-transformer';
import { IsString } from 'class-validator';
import type { PitayaClient } from '@pitaya-ts/client';
import { errorMessage, Handler, JsonSerializer, PitayaError, Request, type PitayaApp } from '@pitaya-ts/core';
import { MemoryCluster } from '@pitaya-ts/core/provider';
import { captureLogger, ControlClient, Harness, tcpAcceptor, wsAcceptor } from './helpers';

class NameRequest {
  @IsString()
  name!: string;
}

class CountRequest {
  @Transform(({ value }) => BigInt(value as string))
  count!: bigint;
}

@Handler()
class BodyHandler {
  @Request()
  count(body: CountRequest): { count: string } {
    return { count: String(body.count) };
  }

  @Request()
  named(body: NameRequest): { length: number } {
    return { length: body.name.length };
  }

  @Request()
  echo(body: unknown): unknown {
    return body;
  }

  @Request()
  ping(): { pong: true } {
    return { pong: true };
  }
}

const harness = new Harness();
afterEach(() => harness.cleanup());

const utf8 = (text: string) => new TextEncoder().encode(text);
/** `{"name": [[[...]]]}`: a few hundred bytes (once zlibbed) that nest `levels` deep. */
const deepBody = (levels: number) => utf8(`{"name":${'['.repeat(levels)}${']'.repeat(levels)}}`);

async function failure(promise: Promise<unknown>): Promise<{ code: string; msg: string }> {
  return promise.then(
    () => ({ code: 'none', msg: 'expected an error response' }),
    (err: unknown) => (PitayaError.is(err) ? err : { code: 'not a PitayaError', msg: errorMessage(err) }),
  );
}

/** Error-level lines of a captured log (pino: error is 50, fatal 60). */
const errorLines = (lines: Record<string, unknown>[]) => lines.filter((line) => (line.level as number) >= 50);

describe.each([
  ['WebSocket', wsAcceptor],
  ['TCP', tcpAcceptor],
])('hostile bodies over %s', (_transport, acceptor) => {
  async function start(config: Record<string, unknown> = {}) {
    const { logger, lines } = captureLogger('info');
    const app = await harness.server({ handlers: [BodyHandler], acceptors: [acceptor()], logger, config });
    const control = new ControlClient(await harness.client(app), 'game.body.ping');
    const attacker = await harness.client(app, { compress: true, requestTimeout: 30_000 });
    return { app, lines, control, attacker };
  }

  it('answers a body nesting deeper than pitaya.serializer.json.maxdepth with PIT-400, logging no error', async () => {
    const { lines, control, attacker } = await start();
    for (const route of ['game.body.named', 'game.body.echo']) {
      const error = await failure(attacker.request(route, deepBody(100_000)));
      expect(error).toMatchObject({ code: 'PIT-400', msg: 'body nests deeper than 64 levels' });
    }
    // within the limit, even a DTO of nested arrays is read
    await expect(attacker.request('game.body.echo', deepBody(63))).resolves.toEqual(
      JSON.parse(new TextDecoder().decode(deepBody(63))),
    );
    expect(errorLines(lines)).toEqual([]);
    await control.expectServed();
  });

  it('answers a request whose body inflates beyond pitaya.conn.inflate.maxsize with PIT-400 (defaults)', async () => {
    const { control, attacker } = await start();
    // ~1 KB on the wire, 1 MB inflated: under the packet limit, over the inflated-size limit
    const error = await failure(attacker.request('game.body.named', { name: 'x'.repeat(1_000_000) }));
    expect(error).toEqual(expect.objectContaining({ code: 'PIT-400', msg: 'inflated body exceeds 262144 bytes' }));
    // a bad body, not a bad connection
    await expect(attacker.request('game.body.named', { name: 'x'.repeat(200_000) })).resolves.toEqual({
      length: 200_000,
    });
    await control.expectServed();
  });

  it('paces a connection inflating more than pitaya.conn.inflate.rate bytes per second, reading it again later', async () => {
    const size = 32 * 1024;
    const rate = 128 * 1024;
    const count = 10;
    const { control, attacker } = await start({ 'pitaya.conn.inflate.rate': rate });
    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: count }, (_, i) => attacker.request('game.body.named', { name: `${i}`.padEnd(size) })),
    );
    const seconds = (performance.now() - started) / 1000;
    expect(answers).toEqual(Array.from({ length: count }, () => ({ length: size })));
    // a full bucket (one second's worth) pays for the first ones; each further one waits for its bytes
    expect(seconds).toBeGreaterThanOrEqual((0.9 * ((count - 1) * size)) / rate - 1);
    expect(attacker.connected).toBe(true);
    await control.expectServed();
  });
});

describe('client-caused errors', () => {
  it('answers a body its DTO cannot be made from with PIT-400, logging no error', async () => {
    const { logger, lines } = captureLogger('info');
    const app = await harness.server({ handlers: [BodyHandler], logger });
    const client = await harness.client(app);
    await expect(client.request('game.body.count', { count: '12' })).resolves.toEqual({ count: '12' });
    const error = await failure(client.request('game.body.count', { count: 'many' }));
    expect(error).toMatchObject({
      code: 'PIT-400',
      msg: 'the body of game.body.count cannot be read as CountRequest: Cannot convert many to a BigInt',
    });
    expect(errorLines(lines)).toEqual([]);
  });

  it('answers a deep body forwarded to a backend PIT-400 there, and the backend logs no error', async () => {
    const cluster = new MemoryCluster();
    const backend = captureLogger('info');
    await harness.server({
      serverType: 'room',
      handlers: [BodyHandler],
      acceptors: [],
      providers: [cluster.providers()],
      logger: backend.logger,
    });
    const connector: PitayaApp = await harness.server({
      serverType: 'connector',
      handlers: [],
      providers: [cluster.providers()],
    });
    const client: PitayaClient = await harness.client(connector);
    const error = await failure(client.request('room.body.named', deepBody(100_000)));
    expect(error).toMatchObject({ code: 'PIT-400', msg: 'body nests deeper than 64 levels' });
    expect(errorLines(backend.lines)).toEqual([]);
  });
});

describe('JsonSerializer nesting limit', () => {
  const json = new JsonSerializer(2);
  const read = (text: string) => () => json.unmarshal(utf8(text));

  it('counts brackets of arrays and objects, not those in strings', () => {
    expect(read('[[1],[2],{"a":[3]}]')).toThrow('body nests deeper than 2 levels');
    expect(read('[{"a":{}}]')).toThrow('body nests deeper than 2 levels');
    expect(read('[[1],[2],{"a":3}]')()).toEqual([[1], [2], { a: 3 }]);
    expect(read('{"s":"[[[{{{\\"[[[ \\\\"}')()).toEqual({ s: '[[[{{{"[[[ \\' });
    expect(read('["]]]]", ["[[[["]]')()).toEqual([']]]]', ['[[[[']]);
  });
});
