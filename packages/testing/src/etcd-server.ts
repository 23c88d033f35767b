import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from './free-port';
import { httpGet } from './http-get';
import { ManagedProcess } from './managed-process';
import { which } from './which';

/** A single-member etcd on loopback, with its data in a temporary folder kept across restarts. */
export class EtcdServer extends ManagedProcess {
  constructor(
    readonly clientPort: number,
    peerPort: number,
    readonly dataDir: string,
  ) {
    const client = `http://127.0.0.1:${clientPort}`;
    const peer = `http://127.0.0.1:${peerPort}`;
    super({
      name: 'etcd',
      command: which('etcd', 'etcd-server'),
      args: [
        '--name',
        't',
        '--data-dir',
        path.join(dataDir, 'data'),
        '--listen-client-urls',
        client,
        '--advertise-client-urls',
        client,
        '--listen-peer-urls',
        peer,
        '--initial-advertise-peer-urls',
        peer,
        '--initial-cluster',
        `t=${peer}`,
        '--initial-cluster-state',
        'new',
        '--logger',
        'zap',
        '--log-outputs',
        path.join(dataDir, 'etcd.log'),
      ],
      ready: async () => JSON.parse((await httpGet(`${client}/health`)).body).health === 'true',
      startTimeoutMs: 30_000,
    });
  }

  /** `127.0.0.1:port`, as `pitaya.cluster.sd.etcd.endpoints` takes it. */
  get endpoint(): string {
    return `127.0.0.1:${this.clientPort}`;
  }

  /** Restarts the server empty, as a replaced etcd would be: keys and leases are gone. */
  async wipe(): Promise<void> {
    await this.stop();
    fs.rmSync(path.join(this.dataDir, 'data'), { recursive: true, force: true });
    await this.start();
  }

  /** Stops the server and removes its data. */
  async destroy(): Promise<void> {
    await this.stop();
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}

export async function startEtcdServer(): Promise<EtcdServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pitaya-etcd-'));
  const server = new EtcdServer(await freePort(), await freePort(), dataDir);
  await server.start();
  return server;
}
