import * as net from 'node:net';
import { freePort } from './free-port';
import { ManagedProcess, startOnFreePorts } from './managed-process';
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
    super('redis-server', which('redis-server', 'redis-server'));
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  protected args(): string[] {
    // port 0 would turn TCP off in Redis: it takes one found free
    return ['--bind', '127.0.0.1', '--port', String(this.port), '--save', '', '--appendonly', 'no'];
  }

  protected isReady(): Promise<boolean> {
    return ping(this.port);
  }
}

export function startRedisServer(): Promise<RedisServer> {
  return startOnFreePorts(async () => new RedisServer(await freePort()));
}
