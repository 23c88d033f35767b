import { freePort } from './free-port';
import { httpGet } from './http-get';
import { ManagedProcess } from './managed-process';
import { which } from './which';

/** A nats-server on loopback; `url` stays the same across restarts. */
export class NatsServer extends ManagedProcess {
  constructor(
    readonly port: number,
    readonly monitorPort: number,
  ) {
    super({
      name: 'nats-server',
      command: which('nats-server', 'nats-server'),
      args: ['-a', '127.0.0.1', '-p', String(port), '-m', String(monitorPort)],
      ready: async () => (await httpGet(`http://127.0.0.1:${monitorPort}/healthz`)).status === 200,
    });
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }
}

export async function startNatsServer(): Promise<NatsServer> {
  const server = new NatsServer(await freePort(), await freePort());
  await server.start();
  return server;
}
