import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { connect } from '@pitaya-ts/client';
import {
  freePort,
  startEtcdServer,
  startNatsServer,
  waitFor,
  type EtcdServer,
  type NatsServer,
} from '@pitaya-ts/testing';
import { npm, startRegistry, type Registry } from './registry';

// installs from a registry and builds: minutes, and over ten on a loaded machine with a cold cache
jest.setTimeout(30 * 60_000);

const root = path.join(__dirname, '..', '..');
const packages = readdirSync(path.join(root, 'packages')).map((dir) => path.join('packages', dir));
let registry: Registry;
let work: string;

/** Runs a command to its end; rejects with its output when it fails. */
function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...userEnv(), ...env }, shell: process.platform === 'win32' });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(output)
        : reject(new Error(`${command} ${args.join(' ')} (in ${cwd}): exit ${code}\n${output}`)),
    );
  });
}

/** A user's environment: npm from the local registry, without this repository's workspace around. */
function userEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(npm_|JEST_|INIT_CWD)/i.test(key)));
  // this machine's npm says no to npm create's question; a user says yes
  return {
    ...env,
    npm_config_registry: registry.url,
    npm_config_yes: 'true',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
  };
}

/** `npm start` in the project, in a process group of its own: npm, its shell and the server stop together. */
function start(cwd: string, script: string, env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(npm, ['run', script], { cwd, env: { ...userEnv(), ...env }, detached: true, stdio: 'ignore' });
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(-child.pid!, 'SIGTERM');
  await exited;
}

/** Connects once the server answers the handshake. */
async function connectWhenUp(url: string) {
  let client: Awaited<ReturnType<typeof connect>> | undefined;
  await waitFor(
    async () => Boolean((client = await connect(url, { timeout: 2000 }).catch(() => undefined))),
    5 * 60_000,
    `a handshake answered at ${url}`,
  );
  return client!;
}

beforeAll(async () => {
  registry = await startRegistry();
  work = mkdtempSync(path.join(tmpdir(), 'pitaya-ts-publish-'));
  // every package, as built by `npm run build`
  for (const dir of packages)
    await run(npm, ['publish', '--ignore-scripts', ...registry.publishArgs], path.join(root, dir));
});
afterAll(async () => {
  await registry?.remove();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packages, from a registry', () => {
  it('install for a user, with one copy of core beside its providers, and load from CommonJS and ES modules', async () => {
    const app = path.join(work, 'user-app');
    mkdirSync(app);
    writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'user-app', private: true }));
    const names = packages.map((dir) =>
      dir.endsWith('create-pitaya-ts') ? 'create-pitaya-ts' : `@pitaya-ts/${path.basename(dir)}`,
    );
    await run(npm, ['install', ...names], app);

    // the providers share the application's core: they bind into its container
    for (const provider of ['nats', 'grpc', 'etcd', 'worker'])
      expect(
        existsSync(path.join(app, 'node_modules', '@pitaya-ts', provider, 'node_modules', '@pitaya-ts', 'core')),
      ).toBe(false);
    const libraries = names.filter((name) => name.startsWith('@pitaya-ts/'));
    writeFileSync(
      path.join(app, 'load.mjs'),
      `import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\n` +
        `for (const name of ${JSON.stringify(libraries)}) {\n` +
        `  const [esm, cjs] = [await import(name), require(name)];\n` +
        `  if (Object.keys(cjs).length === 0 || Object.keys(cjs).some((k) => k !== '__esModule' && !(k in esm))) throw new Error(name);\n}\n` +
        `console.log('loaded');\n`,
    );
    await expect(run(process.execPath, ['load.mjs'], app)).resolves.toContain('loaded');
  });
});

describe('npm create pitaya-ts', () => {
  it('makes a standalone project whose tests pass, and whose npm start answers a handshake', async () => {
    await run(npm, ['create', 'pitaya-ts@latest', 'my-game', '--', '--template', 'standalone'], work);
    const project = path.join(work, 'my-game');
    await run(npm, ['run', 'typecheck'], project);
    await run(npm, ['test'], project);

    const [port, tcpPort] = [await freePort(), await freePort()];
    const server = start(project, 'start', { PORT: String(port), TCP_PORT: String(tcpPort) });
    try {
      for (const url of [`ws://127.0.0.1:${port}`, `tcp://127.0.0.1:${tcpPort}`]) {
        const client = await connectWhenUp(url);
        await expect(client.request('game.room.join', { name: 'ana', room: 'hall' })).resolves.toBeDefined();
        await client.close();
      }
    } finally {
      await stop(server);
    }
  });

  describe('a cluster project', () => {
    let nats: NatsServer;
    let etcd: EtcdServer;
    beforeAll(async () => ([nats, etcd] = await Promise.all([startNatsServer(), startEtcdServer()])));
    afterAll(() => Promise.all([nats?.stop(), etcd?.stop()]));

    it('has tests that pass, and its connector and room server answer on NATS and etcd', async () => {
      await run(npm, ['create', 'pitaya-ts@latest', 'my-cluster', '--', '--template', 'cluster'], work);
      const project = path.join(work, 'my-cluster');
      await run(npm, ['run', 'typecheck'], project);
      await run(npm, ['test'], project);
      await run(npm, ['run', 'test:real'], project); // on a nats-server and etcd of its own

      const [port, tcpPort] = [await freePort(), await freePort()];
      const env = {
        PORT: String(port),
        TCP_PORT: String(tcpPort),
        PITAYA_CLUSTER_RPC_CLIENT_NATS_CONNECT: nats.url,
        PITAYA_CLUSTER_RPC_SERVER_NATS_CONNECT: nats.url,
        PITAYA_CLUSTER_SD_ETCD_ENDPOINTS: etcd.endpoint,
      };
      const connector = start(project, 'start', env); // builds first
      let room: ChildProcess | undefined;
      try {
        const client = await connectWhenUp(`ws://127.0.0.1:${port}`);
        room = start(project, 'start:room', env);
        await client.request('connector.entry.login', { name: 'ana' });
        // the room server answers once etcd has told the connector of it
        await waitFor(
          async () => (await client.request('room.room.join', { room: 'hall' }).catch(() => undefined)) !== undefined,
          5 * 60_000,
          'the room server to answer through the connector',
        );
        await client.close();
      } finally {
        await Promise.all([stop(connector), room && stop(room)]);
      }
    });
  });
});
