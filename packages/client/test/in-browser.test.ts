import * as fs from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { ScriptedServer } from './scripted-server';

const root = path.resolve(__dirname, '../../..');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

/** The browser entry, bundled as a page script exposing `PitayaTs`. */
async function browserBundle(): Promise<string> {
  const result = await build({
    entryPoints: [path.join(root, 'packages/client/src/browser.ts')],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'iife',
    globalName: 'PitayaTs',
    alias: { '@pitaya-ts/protocol': path.join(root, 'packages/protocol/src/index.ts') },
  });
  return result.outputFiles[0]!.text;
}

describe('client in a real browser (headless Chromium)', () => {
  let browser: Browser;
  let server: ScriptedServer;

  beforeAll(async () => {
    if (!fs.existsSync(chromiumPath)) {
      throw new Error(`Chromium not found at ${chromiumPath}: run npm test (it installs it) or set CHROMIUM_PATH`);
    }
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
  });

  beforeEach(async () => {
    server = await ScriptedServer.start('ws', {
      handshake: { code: 200, sys: { heartbeat: 30, dict: { 'room.room.join': 1 }, serializer: 'json' } },
      onRequest: (message, connection) => {
        if (message.route === 'room.room.fail') {
          connection.respond(message.id, json({ code: 'PIT-555', msg: 'nope', metadata: { why: 'test' } }), {
            error: true,
          });
          return undefined;
        }
        connection.push('onJoin', json({ name: 'ana', padding: 'x'.repeat(200) }), { compress: true });
        return json({ echo: JSON.parse(new TextDecoder().decode(message.body)) });
      },
    });
  });

  afterEach(async () => {
    await server.close();
  });

  it('handshakes, requests, receives a zlib push and an error, through the browser entry', async () => {
    const page = await browser.newPage();
    await page.setContent('<!doctype html><title>pitaya-ts</title>');
    await page.addScriptTag({ content: await browserBundle() });
    const result = await page.evaluate(async (url) => {
      interface Client {
        request(route: string, body: unknown): Promise<unknown>;
        on(route: string, fn: (body: unknown) => void): void;
        close(): Promise<void>;
      }
      const lib = (window as unknown as { PitayaTs: { connect(u: string, o: object): Promise<Client> } }).PitayaTs;
      const client = await lib.connect(url, { handshakeData: { from: 'browser' } });
      const pushed = new Promise((resolve) => client.on('onJoin', resolve));
      const answer = await client.request('room.room.join', { name: 'bo' });
      const push = await pushed;
      const failure = await client.request('room.room.fail', {}).catch((e: unknown) => {
        const { name, code, metadata } = e as { name: string; code: string; metadata: object };
        return { name, code, metadata };
      });
      await client.close();
      return { answer, push, failure, hasProcess: typeof (globalThis as { process?: unknown }).process };
    }, server.url);
    await page.close();

    expect(result.answer).toEqual({ echo: { name: 'bo' } });
    expect(result.push).toEqual({ name: 'ana', padding: 'x'.repeat(200) });
    expect(result.failure).toEqual({ name: 'PitayaError', code: 'PIT-555', metadata: { why: 'test' } });
    expect(result.hasProcess).toBe('undefined');
    const connection = await server.connection();
    expect(connection.handshake).toEqual({
      sys: expect.objectContaining({ platform: 'browser' }),
      user: { from: 'browser' },
    });
    // the dictionary was used from the browser too: compressed route flag on the request
    const request = connection.packets.find((p) => p.type === 4)!;
    expect(request.body[0]! & 0x01).toBe(1);
  });
});
