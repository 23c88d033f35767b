import * as net from 'node:net';

/**
 * A loopback port free right now: the OS picks it, and it is given back at once. Another process
 * may take it before whoever was given it binds it: servers started on it retry on fresh ports
 * when that happens (see `startOnFreePorts`).
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
