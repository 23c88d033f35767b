import 'reflect-metadata';
import { once } from 'node:events';
import * as net from 'node:net';
import WebSocket from 'ws';
import { Handler, WsAcceptor, type PitayaApp } from '@pitaya-ts/core';
import { ControlClient, Harness, urlOf, waitFor } from './helpers';

@Handler()
class PingHandler {
  ping(): string {
    return 'pong';
  }
}

const harness = new Harness();
afterEach(() => harness.cleanup());
afterEach(() => Peer.destroyAll());

/** A TCP peer of the WebSocket port that speaks (or not) HTTP by hand. */
class Peer {
  private static readonly everyOpen: Peer[] = [];
  received = '';
  isClosed = false;

  private constructor(readonly socket: net.Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (text: string) => (this.received += text));
    socket.on('error', () => undefined);
    socket.on('close', () => (this.isClosed = true));
  }

  static async open(app: PitayaApp): Promise<Peer> {
    const socket = net.connect(app.acceptors[0]!.address()!.port, '127.0.0.1');
    await once(socket, 'connect');
    const peer = new Peer(socket);
    Peer.everyOpen.push(peer);
    return peer;
  }

  static destroyAll(): void {
    for (const peer of Peer.everyOpen.splice(0)) peer.socket.destroy();
  }
}

const upgradeHead = (extra = '') =>
  'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
  `Sec-WebSocket-Key: cGl0YXlhLXRzIHRlc3QhIQ==\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`;

async function start(config: Record<string, unknown> = {}) {
  const app = await harness.server({ handlers: [PingHandler], config });
  const control = new ControlClient(await harness.client(app), 'game.ping.ping');
  return { app, control };
}

describe('WebSocket acceptor', () => {
  it('cuts sockets that send nothing at pitaya.handshake.timeout, serving others meanwhile', async () => {
    const { app, control } = await start({ 'pitaya.handshake.timeout': '1s' });
    const idle = await Promise.all(Array.from({ length: 200 }, () => Peer.open(app)));
    await waitFor(() => idle.every((peer) => peer.isClosed), 10_000, 'the idle sockets to be cut');
    await control.expectServed();
  });

  it('cuts a client trickling its upgrade request at pitaya.handshake.timeout', async () => {
    const { app, control } = await start({ 'pitaya.handshake.timeout': '1s' });
    const peer = await Peer.open(app);
    const head = upgradeHead(`X-Slow: ${'a'.repeat(4000)}\r\n`);
    let sent = 0;
    const drip = setInterval(() => peer.socket.write(head[sent++]!), 10);
    try {
      await waitFor(() => peer.isClosed, 10_000, 'the slow client to be cut');
    } finally {
      clearInterval(drip);
    }
    expect(sent).toBeLessThan(head.length);
    await control.expectServed();
  });

  it('answers an upgrade request whose head passes pitaya.acceptor.ws.maxheadersize with 431', async () => {
    const { app } = await start({ 'pitaya.acceptor.ws.maxheadersize': 2048 });
    const big = await Peer.open(app);
    big.socket.write(upgradeHead(`X-Big: ${'a'.repeat(4096)}\r\n`));
    await waitFor(() => big.isClosed, 5000, 'the refusal');
    expect(big.received).toMatch(/^HTTP\/1\.1 431 /);

    const fair = await Peer.open(app);
    fair.socket.write(upgradeHead(`X-Fair: ${'a'.repeat(1024)}\r\n`));
    await waitFor(() => fair.received.includes('\r\n\r\n'), 5000, 'the upgrade');
    expect(fair.received).toMatch(/^HTTP\/1\.1 101 /);
  });

  it('answers a plain HTTP request with 426 and closes', async () => {
    const { app } = await start();
    const peer = await Peer.open(app);
    peer.socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await waitFor(() => peer.isClosed, 5000, 'the answer');
    expect(peer.received).toMatch(/^HTTP\/1\.1 426 /);
  });

  it('answers plain HTTP with its http handler on the WebSocket port, and 500 when it throws', async () => {
    const app = await harness.server({
      handlers: [PingHandler],
      acceptors: [
        new WsAcceptor({
          host: '127.0.0.1',
          port: 0,
          http: (request, response) => {
            if (request.url === '/fail') throw new Error('page handler bug');
            response.writeHead(200, { 'Content-Type': 'text/plain' }).end(`page ${request.url}`);
          },
        }),
      ],
    });
    const base = `http://127.0.0.1:${app.acceptors[0]!.address()!.port}`;
    const page = await fetch(`${base}/index.html`);
    expect([page.status, await page.text()]).toEqual([200, 'page /index.html']);
    expect((await fetch(`${base}/fail`)).status).toBe(500);
    // the WebSocket beside it still works
    const client = await harness.client(app);
    await expect(client.request('game.ping.ping', {})).resolves.toBe('pong');
  });

  it('closes a connection sending a text frame with 1003 (unsupported data)', async () => {
    const { app } = await start();
    const ws = new WebSocket(urlOf(app));
    await once(ws, 'open');
    ws.send('hello');
    const [code] = (await once(ws, 'close')) as [number];
    expect(code).toBe(1003);
  });

  it('makes start() fail when its port is taken', async () => {
    const { app } = await start();
    const taken = app.acceptors[0]!.address()!.port;
    const second = await harness.build({
      handlers: [PingHandler],
      acceptors: [new WsAcceptor({ host: '127.0.0.1', port: taken })],
    });
    await expect(second.start()).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});
