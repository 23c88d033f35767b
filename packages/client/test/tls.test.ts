import { connect } from '@pitaya-ts/client';
import { ScriptedServer, testCertificate } from './scripted-server';

const echo = { onRequest: (m: { body: Uint8Array }) => m.body };

describe.each(['wss', 'tls'] as const)('client over %s', (kind) => {
  it('connects with the server certificate trusted, and round-trips a request', async () => {
    const server = await ScriptedServer.start(kind, echo);
    const client = await connect(server.url, { tls: { ca: testCertificate.cert } });
    await expect(client.request('echo', { secure: true })).resolves.toEqual({ secure: true });
    await client.close();
    await server.close();
  });

  it('refuses a certificate it does not trust', async () => {
    const server = await ScriptedServer.start(kind, echo);
    await expect(connect(server.url, { timeout: 3000 })).rejects.toMatchObject({ code: 'CONNECT_FAILED' });
    await server.close();
  });
});
