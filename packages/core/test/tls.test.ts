import 'reflect-metadata';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { connect } from '@pitaya-ts/client';
import { Handler, TcpAcceptor, WsAcceptor, type HandlerContext } from '@pitaya-ts/core';
import { Harness } from './helpers';

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
});
