import 'reflect-metadata';
import { EventEmitter, once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import * as net from 'node:net';
import WebSocket from 'ws';
import {
  decodeMessage,
  decodePackets,
  encodeDataPacket,
  encodeHandshakeRequest,
  encodePacket,
  handshakeAckPacket,
  MessageType,
  PacketType,
  type Packet,
} from '@pitaya-ts/protocol';
import { Handler, WsAcceptor, type PitayaApp } from '@pitaya-ts/core';
import { acceptUpgrade } from '../src/net/ws-handshake';
import { clientFrame, ControlClient, Harness, urlOf, waitFor } from './helpers';

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

/** A Pitaya client's handshake packet. */
const HELLO = encodePacket(
  PacketType.Handshake,
  encodeHandshakeRequest({ sys: { platform: 'node', libVersion: '1' }, user: {} }),
);

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

  it('reads packets as one stream across frames: a packet split over messages and fragments, several in one frame', async () => {
    const { app } = await start();
    const ws = new WebSocket(urlOf(app));
    const packets: Packet[] = [];
    ws.on('message', (data: Buffer) => packets.push(...decodePackets(data)));
    await once(ws, 'open');
    const stream = Buffer.concat([
      HELLO,
      handshakeAckPacket(),
      encodeDataPacket({
        type: MessageType.Request,
        id: 7,
        route: 'game.ping.ping',
        body: Buffer.from('{}'),
        error: false,
      }),
    ]);
    const [a, b, c] = [stream.length - 20, stream.length - 8, stream.length];
    ws.send(stream.subarray(0, a)); // the handshake, the ack and the request's head
    ws.send(stream.subarray(a, b), { fin: false }); // the rest in one message of two fragments
    ws.send(stream.subarray(b, c), { fin: true });
    await waitFor(() => packets.some((packet) => packet.type === PacketType.Data), 5000, 'the response');
    const response = decodeMessage(packets.find((packet) => packet.type === PacketType.Data)!.body);
    expect([response.type, response.id, Buffer.from(response.body).toString()]).toEqual([
      MessageType.Response,
      7,
      '"pong"',
    ]);
    ws.close();
  });

  it('answers a ping with a pong carrying its payload', async () => {
    const { app } = await start();
    const ws = new WebSocket(urlOf(app));
    await once(ws, 'open');
    ws.ping('are you there');
    const [payload] = (await once(ws, 'pong')) as [Buffer];
    expect(payload.toString()).toBe('are you there');
    ws.close();
  });

  it('answers the latest of the pings that came in one read, with one pong', async () => {
    const { app } = await start();
    const peer = await Peer.open(app);
    peer.socket.write(upgradeHead());
    await waitFor(() => peer.received.includes('\r\n\r\n'), 5000, 'the upgrade');
    const head = peer.received.length;
    // 100 pings in one write, read at once on the loopback
    peer.socket.write(Buffer.concat(Array.from({ length: 100 }, (_, i) => clientFrame(`ping ${i}`.padEnd(8), 0x9))));
    await waitFor(() => peer.received.includes('ping 99'), 5000, 'the pong of the last ping');
    const pongs = peer.received.slice(head).split('\x8a\x08').filter(Boolean);
    expect(pongs.length).toBeLessThan(100);
    expect(pongs.at(-1)).toBe('ping 99 ');
  });

  it("answers a client's close frame with its code and reason, and the session ends", async () => {
    const { app } = await start();
    const ws = new WebSocket(urlOf(app), ['pitaya-json', 'another']);
    await once(ws, 'open');
    await waitFor(() => app.sessions.count === 2, 5000, 'its session'); // and the control client's
    // the first subprotocol offered is accepted: browsers fail a connection whose offer goes unanswered
    expect(ws.protocol).toBe('pitaya-json');
    ws.close(4001, 'bye now');
    const [code, reason] = (await once(ws, 'close')) as [number, Buffer];
    expect([code, reason.toString()]).toEqual([4001, 'bye now']);
    await waitFor(() => app.sessions.count === 1, 5000, 'its session to end');
  });

  it('fails a connection whose frames break RFC 6455 with close code 1002, serving the others', async () => {
    const { app, control } = await start();
    const peer = await Peer.open(app);
    peer.socket.write(upgradeHead());
    await waitFor(() => peer.received.includes('\r\n\r\n'), 5000, 'the upgrade');
    expect(peer.received).toMatch(/^HTTP\/1\.1 101 /);
    peer.socket.write(Buffer.from([0x82, 0x01, 0x00])); // a frame from a client must be masked
    await waitFor(() => peer.isClosed, 5000, 'the connection to fail');
    const frames = Buffer.from(peer.received.slice(peer.received.indexOf('\r\n\r\n') + 4), 'latin1');
    expect([...frames.subarray(0, 4)]).toEqual([0x88, 0x02, 0x03, 0xea]); // close, 1002
    await control.expectServed();
  });

  it('reads the frames a client sends right behind its upgrade request, and ends when the client does', async () => {
    const { app } = await start();
    const peer = await Peer.open(app);
    peer.socket.write(Buffer.concat([Buffer.from(upgradeHead(), 'latin1'), clientFrame(HELLO)]));
    // the handshake reply: a binary frame holding a handshake packet
    await waitFor(() => peer.received.includes('\x82'), 5000, 'the handshake reply');
    const frames = Buffer.from(peer.received.slice(peer.received.indexOf('\r\n\r\n') + 4), 'latin1');
    expect([frames[0], frames[2]]).toEqual([0x82, PacketType.Handshake]);
    await waitFor(() => app.sessions.count === 2, 5000, 'its session');
    peer.socket.end(); // no close frame: the server's half closes too, and the session ends
    await waitFor(() => peer.isClosed && app.sessions.count === 1, 5000, 'the close');
  });

  it('does not throw the error of a socket reset while its upgrade is refused', () => {
    // the HTTP server stops listening for a socket's errors when it hands it over for the upgrade
    const socket = Object.assign(new EventEmitter(), {
      readable: true,
      writable: true,
      write: () => true,
      end: () => undefined,
      destroy: () => undefined,
    });
    const request = {
      method: 'GET',
      headers: { upgrade: 'websocket', 'sec-websocket-key': 'bad', 'sec-websocket-version': '13' },
    };
    expect(acceptUpgrade(request as unknown as IncomingMessage, socket as unknown as net.Socket)).toBe(false);
    expect(() => socket.emit('error', new Error('read ECONNRESET'))).not.toThrow();
  });

  it('cuts a client that sends its close frame but never its FIN, and the session ends', async () => {
    const { app } = await start();
    const socket = net.connect({ port: app.acceptors[0]!.address()!.port, host: '127.0.0.1', allowHalfOpen: true });
    socket.on('error', () => undefined);
    const ended = once(socket, 'end');
    let received = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => (received = Buffer.concat([received, chunk])));
    socket.write(upgradeHead());
    await waitFor(() => received.includes('\r\n\r\n'), 5000, 'the upgrade');
    await waitFor(() => app.sessions.count === 2, 5000, 'its session');
    socket.write(clientFrame(Buffer.from([0x03, 0xe8]), 0x8)); // close, 1000; the socket stays half open
    await ended;
    const frames = received.subarray(received.indexOf('\r\n\r\n') + 4);
    expect([...frames]).toEqual([0x88, 0x02, 0x03, 0xe8]); // the close frame, echoed, then the server's FIN
    // the client's FIN never comes: the server does not wait for it forever
    await waitFor(() => app.sessions.count === 1, 10_000, 'its session to end');
    socket.destroy();
  });

  it('answers no pongs while a pinging client reads nothing: its pings cannot fill the memory', async () => {
    const { app } = await start();
    const peer = await Peer.open(app);
    peer.socket.write(upgradeHead());
    await waitFor(() => peer.received.includes('\r\n\r\n'), 5000, 'the upgrade');
    peer.socket.pause();
    // more pongs than the kernel's socket buffers hold (~20 MB): the rest would wait in the process
    const pings = 150_000;
    const ping = clientFrame(Buffer.alloc(125, 0x70), 0x9);
    const batch = Buffer.concat(Array.from({ length: 1000 }, () => ping));
    for (let i = 0; i < pings / 1000; i++) {
      if (!peer.socket.write(batch)) await once(peer.socket, 'drain');
    }
    // a handshake behind them: its reply follows the pongs answered
    peer.socket.write(clientFrame(HELLO));
    const before = peer.received.length;
    peer.socket.resume();
    await waitFor(() => peer.received.includes('"heartbeat"'), 30_000, 'the handshake reply');
    const pongBytes = 2 + 125;
    const pongs = Math.floor((peer.received.length - before) / pongBytes);
    expect(pongs).toBeGreaterThan(0);
    expect(pongs).toBeLessThan(pings);
  });

  it('closes a connection sending a packet larger than pitaya.conn.maxpacketsize with 1009', async () => {
    const { app } = await start();
    const ws = new WebSocket(urlOf(app));
    await once(ws, 'open');
    ws.send(Buffer.from([PacketType.Handshake, 0xff, 0xff, 0xff])); // a packet of 16 MiB announced
    const [code] = (await once(ws, 'close')) as [number];
    expect(code).toBe(1009);
  });

  it('refuses an upgrade request with a bad key or version with 400, saying which versions it speaks', async () => {
    const { app } = await start();
    const version = await Peer.open(app);
    version.socket.write(upgradeHead().replace('Version: 13', 'Version: 12'));
    await waitFor(() => version.isClosed, 5000, 'the refusal');
    expect(version.received).toMatch(/^HTTP\/1\.1 400 [^]*Sec-WebSocket-Version: 13, 8\r\n/);
    const key = await Peer.open(app);
    key.socket.write(upgradeHead().replace('cGl0YXlhLXRzIHRlc3QhIQ==', 'short'));
    await waitFor(() => key.isClosed, 5000, 'the refusal');
    expect(key.received).toMatch(/^HTTP\/1\.1 400 [^]*Sec-WebSocket-Key/);
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
