import * as net from 'node:net';
import { freePort } from './free-port';
import { ManagedProcess } from './managed-process';
import { which } from './which';

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setTimeout(1000, () => socket.destroy());
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      resolve(data.toString().startsWith('+PONG'));
      socket.destroy();
    });
    socket.once('error', () => resolve(false));
    socket.once('close', () => resolve(false));
  });
}

/** A redis-server on loopback, without persistence. */
export class RedisServer extends ManagedProcess {
  constructor(readonly port: number) {
    super({
      name: 'redis-server',
      command: which('redis-server', 'redis-server'),
      args: ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'],
      ready: () => ping(port),
    });
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }
}

export async function startRedisServer(): Promise<RedisServer> {
  const server = new RedisServer(await freePort());
  await server.start();
  return server;
}
