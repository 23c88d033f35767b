import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { httpGet } from './http-get';
import { ManagedProcess } from './managed-process';
import { which } from './which';

/**
 * A nats-server on loopback. Its first start listens on ports the OS picks (`-1`), read back from
 * the ports file the server writes: no port is probed first, so none can be taken meanwhile. Later
 * starts reuse them: `url` stays the same across restarts.
 */
export class NatsServer extends ManagedProcess {
  /** 0 until the first start. */
  port = 0;
  monitorPort = 0;

  constructor() {
    super('nats-server', which('nats-server', 'nats-server'));
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  protected args(): string[] {
    const port = (known: number) => String(known || -1);
    return ['-a', '127.0.0.1', '-p', port(this.port), '-m', port(this.monitorPort), '--ports_file_dir', os.tmpdir()];
  }

  protected async isReady(): Promise<boolean> {
    if (!this.port) {
      // written once every listener is up, removed at exit:
      // {"nats":["nats://127.0.0.1:p"],"monitoring":["http://127.0.0.1:m"]}
      const file = path.join(os.tmpdir(), `nats-server_${this.pid}.ports`);
      if (!fs.existsSync(file)) return false;
      const ports = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<'nats' | 'monitoring', [string, ...string[]]>;
      this.port = Number(new URL(ports.nats[0]).port);
      this.monitorPort = Number(new URL(ports.monitoring[0]).port);
    }
    return (await httpGet(`http://127.0.0.1:${this.monitorPort}/healthz`)).status === 200;
  }
}

export async function startNatsServer(): Promise<NatsServer> {
  const server = new NatsServer();
  await server.start();
  return server;
}
