import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from './free-port';
import { httpGet } from './http-get';
import { ManagedProcess, startOnFreePorts } from './managed-process';
import { which } from './which';

/** A single-member etcd on loopback, with its data in a temporary folder kept across restarts. */
export class EtcdServer extends ManagedProcess {
  constructor(
    readonly clientPort: number,
    private readonly peerPort: number,
    readonly dataDir: string,
  ) {
    super('etcd', which('etcd', 'etcd-server'), 30_000);
  }

  /** `127.0.0.1:port`, as `pitaya.cluster.sd.etcd.endpoints` takes it. */
  get endpoint(): string {
    return `127.0.0.1:${this.clientPort}`;
  }

  protected args(): string[] {
    // etcd cannot listen on port 0: it takes ports found free
    const client = `http://127.0.0.1:${this.clientPort}`;
    const peer = `http://127.0.0.1:${this.peerPort}`;
    return [
      '--name',
      't',
      '--data-dir',
      path.join(this.dataDir, 'data'),
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
      // on stderr, where a port taken meanwhile is seen (see startOnFreePorts)
      '--log-outputs',
      'stderr',
    ];
  }

  protected async isReady(): Promise<boolean> {
    const { body } = await httpGet(`http://127.0.0.1:${this.clientPort}/health`);
    return (JSON.parse(body) as { health?: unknown }).health === 'true';
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

export function startEtcdServer(): Promise<EtcdServer> {
  return startOnFreePorts(
    async () =>
      new EtcdServer(await freePort(), await freePort(), fs.mkdtempSync(path.join(os.tmpdir(), 'pitaya-etcd-'))),
    (failed) => fs.rmSync(failed.dataDir, { recursive: true, force: true }),
  );
}
