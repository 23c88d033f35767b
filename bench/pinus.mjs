// pinus 1.7.4 (the TypeScript pomelo) beside pitaya-ts: installed on demand into bench/pinus/ (its
// own package.json, not a workspace: `npm install` and `npm test` never fetch it), then started as
// a master that starts its connector (hybrid connector: WebSocket and TCP on one port) and, for
// the forwarded path, a `room` backend reached over pinus-rpc.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { freePort } from '@pitaya-ts/testing';
import { pinned } from './pin.mjs';

const DIR = fileURLToPath(new URL('pinus/', import.meta.url));
const VERSION = JSON.parse(readFileSync(`${DIR}package.json`, 'utf8')).dependencies.pinus;

/** Installs pinus into bench/pinus/node_modules unless it is there; throws why it could not. */
export async function ensurePinus() {
  const installed = `${DIR}node_modules/pinus/package.json`;
  if (existsSync(installed) && JSON.parse(readFileSync(installed, 'utf8')).version === VERSION) return;
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  await promisify(execFile)(npm, ['install', '--no-audit', '--no-fund'], {
    cwd: DIR,
    timeout: 300_000,
  });
}

/** The pids of `masterPid`'s children, by the `id=` argument pinus starts each server with. */
function serverPids(masterPid) {
  const children = readFileSync(`/proc/${masterPid}/task/${masterPid}/children`, 'utf8').trim().split(/\s+/);
  const pids = {};
  for (const pid of children.filter(Boolean)) {
    const id = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .split('\0')
      .find((arg) => arg.startsWith('id='));
    if (id) pids[id.slice(3)] = Number(pid);
  }
  return pids;
}

/**
 * Starts pinus's master on `cpus` (its servers inherit the pinning), with a connector and, when
 * `backend`, a `room` server. Resolves once the master has started them, with the connector's
 * client port, the servers' pids (`front`, `back`) and `stop()`. Whether they answer yet is for
 * the caller to check (a request through them).
 */
export async function startPinus({ backend = false, cpus } = {}) {
  const master = { id: 'master-server-1', host: '127.0.0.1', port: await freePort() };
  const connector = {
    id: 'connector-server-1',
    host: '127.0.0.1',
    port: await freePort(),
    clientHost: '127.0.0.1',
    clientPort: await freePort(),
    frontend: true,
  };
  const servers = { connector: [connector] };
  if (backend) servers.room = [{ id: 'room-server-1', host: '127.0.0.1', port: await freePort() }];
  // pinus reads its configuration from <base>/config/ and its handlers from <base>/app/: a base of
  // this run's own outside the repository, its app/ a link to bench/pinus/app
  const base = mkdtempSync(join(os.tmpdir(), 'bench-pinus-'));
  symlinkSync(`${DIR}app`, join(base, 'app'));
  const config = join(base, 'config/');
  mkdirSync(config);
  const write = (name, value) => writeFileSync(`${config}${name}`, JSON.stringify(value, null, 2));
  write('master.json', { production: master });
  write('servers.json', { production: servers });
  // errors only, on the console (the default would be pinus's debug log)
  write('log4js.json', {
    appenders: { console: { type: 'console' } },
    categories: { default: { appenders: ['console'], level: 'error' } },
  });
  const [command, args] = pinned(cpus, [process.execPath, `${DIR}app.js`, 'env=production']);
  const child = spawn(command, args, {
    cwd: DIR,
    env: { ...process.env, BENCH_PINUS_BASE: base },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const expected = Object.keys(servers).length;
  let pids = {};
  for (let waited = 0; Object.keys(pids).length < expected; waited += 100) {
    if (child.exitCode !== null || waited > 60_000) throw new Error('pinus: its servers did not start');
    await sleep(100);
    pids = serverPids(child.pid);
  }
  const all = [child.pid, ...Object.values(pids)];
  // the master does not stop its servers when it is killed: each is killed by its pid
  const kill = () => {
    for (const pid of all) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  process.once('exit', kill);
  return {
    port: connector.clientPort,
    pids: { front: pids[connector.id], ...(backend ? { back: pids['room-server-1'] } : {}) },
    async stop() {
      process.off('exit', kill);
      kill();
      await exited;
      rmSync(base, { recursive: true, force: true });
    },
  };
}
