import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { freePort, ManagedProcess, startOnFreePorts } from '@pitaya-ts/testing';

const root = path.join(__dirname, '..', '..');
const VERDACCIO = path.join(root, 'scripts', 'publish-tools', 'node_modules', 'verdaccio', 'bin', 'verdaccio');
export const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/**
 * A verdaccio registry on loopback: `@pitaya-ts/*` and `create-pitaya-ts` from its own storage only
 * (what the tests publish), everything else from the registry npm is configured with.
 */
export class Registry extends ManagedProcess {
  readonly url: string;

  constructor(
    readonly port: number,
    private readonly dir: string,
  ) {
    super('verdaccio', process.execPath, 60_000);
    this.url = `http://127.0.0.1:${port}/`;
  }

  /** npm's arguments that publish to it: npm 11 wants a token, which verdaccio takes as anonymous. */
  get publishArgs(): string[] {
    return ['--registry', this.url, `--//127.0.0.1:${this.port}/:_authToken=anything`];
  }

  protected args(): string[] {
    return [VERDACCIO, '--config', path.join(this.dir, 'config.yaml'), '--listen', `127.0.0.1:${this.port}`];
  }

  protected async isReady(): Promise<boolean> {
    const res = await fetch(`${this.url}-/ping`);
    return res.ok;
  }

  async remove(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export async function startRegistry(): Promise<Registry> {
  const upstream = execFileSync(npm, ['config', 'get', 'registry'], { encoding: 'utf8' }).trim();
  return startOnFreePorts(
    async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'pitaya-ts-registry-'));
      const ours = '{ access: $all, publish: $all }';
      writeFileSync(
        path.join(dir, 'config.yaml'),
        [
          `storage: ${JSON.stringify(path.join(dir, 'storage'))}`,
          `uplinks:\n  upstream:\n    url: ${JSON.stringify(upstream)}\n    timeout: 60s`,
          'packages:',
          `  '@pitaya-ts/*': ${ours}`,
          `  'create-pitaya-ts': ${ours}`,
          `  '**': { access: $all, publish: $all, proxy: upstream }`,
          'log: { type: stdout, format: pretty, level: warn }',
          'max_body_size: 100mb',
          '',
        ].join('\n'),
      );
      return new Registry(await freePort(), dir);
    },
    (registry) => void registry.remove(),
  );
}
