import 'reflect-metadata';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { connect } from '@pitaya-ts/client';
import { Handler, TcpAcceptor, WsAcceptor, type HandlerContext } from '@pitaya-ts/core';
import { ControlClient, Harness, waitFor } from './helpers';

const harness = new Harness();
afterEach(() => harness.cleanup());

// a self-signed certificate for localhost and 127.0.0.1
const tls = {
  certFile: path.join(__dirname, 'fixtures', 'tls-cert.pem'),
  keyFile: path.join(__dirname, 'fixtures', 'tls-key.pem'),
};
const ca = fs.readFileSync(tls.certFile, 'utf8');

@Handler()
class SecureHandler {
  whoami(_body: unknown, { session }: HandlerContext): { remote: boolean } {
    return { remote: typeof session.remoteAddress === 'string' };
  }
}

describe.each([
  ['wss', () => new WsAcceptor({ host: '127.0.0.1', port: 0, tls })],
  ['tls', () => new TcpAcceptor({ host: '127.0.0.1', port: 0, tls })],
])('acceptors over %s', (scheme, acceptor) => {
  it('serve clients that trust the certificate, and nobody else', async () => {
    const app = await harness.server({ handlers: [SecureHandler], acceptors: [acceptor()] });
    const url = `${scheme}://127.0.0.1:${app.acceptors[0]!.address()!.port}`;
    const client = await connect(url, { tls: { ca }, timeout: 2000 });
    try {
      await expect(client.request('game.secure.whoami')).resolves.toEqual({ remote: true });
    } finally {
      await client.close();
    }
    await expect(connect(url, { timeout: 2000 })).rejects.toMatchObject({ code: 'CONNECT_FAILED' });
  });

  it('cuts a client trickling its TLS handshake at pitaya.handshake.timeout', async () => {
    const app = await harness.server({
      handlers: [SecureHandler],
      acceptors: [acceptor()],
      config: { 'pitaya.handshake.timeout': '1s' },
    });
    const port = app.acceptors[0]!.address()!.port;
    const client = await connect(`${scheme}://127.0.0.1:${port}`, { tls: { ca }, timeout: 2000 });
    harness.clients.push(client);
    const control = new ControlClient(client, 'game.secure.whoami');
    const socket = net.connect(port, '127.0.0.1');
    await once(socket, 'connect');
    let closed = false;
    socket.on('error', () => undefined).on('close', () => (closed = true));
    // a handshake record announcing 16 KiB, then a byte at a time: Node's idle timer never runs out
    socket.write(Buffer.from([0x16, 0x03, 0x01, 0x40, 0x00]));
    const drip = setInterval(() => socket.write(Buffer.from([0])), 10);
    try {
      await waitFor(() => closed, 10_000, 'the slow client to be cut');
    } finally {
      clearInterval(drip);
      socket.destroy();
    }
    await control.expectServed();
  });
});
