import * as fs from 'node:fs';
import type * as net from 'node:net';

/** PEM files of a TLS acceptor. */
export interface TlsFiles {
  /** PEM certificate (chain) file. */
  certFile: string;
  /** PEM private key file. */
  keyFile: string;
}

export function readTls(files: TlsFiles): { cert: Buffer; key: Buffer } {
  return { cert: fs.readFileSync(files.certFile), key: fs.readFileSync(files.keyFile) };
}

/** Listens, rejecting (instead of throwing later) when the port cannot be had. */
export function listen(server: net.Server, port: number, host = '0.0.0.0'): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export function addressOf(server: net.Server | undefined): { host: string; port: number } | undefined {
  const address = server?.address();
  return address && typeof address === 'object' ? { host: address.address, port: address.port } : undefined;
}
