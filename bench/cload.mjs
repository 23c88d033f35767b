// The closed-loop load client of the floors sections: cload (bench/cload/cload.c, one thread, epoll,
// busy-polling), built with `cc -O2` into bench/.build/ when a C compiler is present, else the
// Node client bench/nload.mjs with the same command line and output.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CLIENT_CPU, pinned } from './pin.mjs';

const source = fileURLToPath(new URL('cload/cload.c', import.meta.url));
const binary = fileURLToPath(new URL('.build/cload', import.meta.url));
const nload = fileURLToPath(new URL('nload.mjs', import.meta.url));

/** Builds cload if its binary is missing or older than its source; false without a C compiler. */
function buildCload() {
  if (existsSync(binary) && statSync(binary).mtimeMs >= statSync(source).mtimeMs) return true;
  try {
    mkdirSync(fileURLToPath(new URL('.build/', import.meta.url)), { recursive: true });
    execFileSync(process.env.CC ?? 'cc', ['-O2', '-o', binary, source], { stdio: ['ignore', 'ignore', 'inherit'] });
    return true;
  } catch {
    return false;
  }
}

/**
 * The load client: `name` ('cload' or 'nload', the Node fallback; BENCH_CLIENT=node forces it),
 * and `run(options)`, which loads one server on the client's core and resolves with the client's
 * JSON result. Options: `{ mode, port, conns, inflight, warmup, duration, route, pids }`.
 */
export function loadClient() {
  const c = process.env.BENCH_CLIENT !== 'node' && buildCload();
  return {
    name: c ? 'cload' : 'nload',
    async run({ mode, port, conns, inflight, warmup, duration, route, pids }) {
      const args = [
        ...['--mode', mode, '--port', port, '--conns', conns, '--inflight', inflight],
        ...['--warmup', warmup, '--duration', duration, '--route', route, '--server-pids', pids.join(',')],
      ].map(String);
      // busy-polling: waking a sleeping core costs the server's side 20-25 µs on these VMs
      const argv = c ? [binary, ...args, '--spin', '1'] : [process.execPath, nload, ...args];
      const [command, rest] = pinned(CLIENT_CPU, argv);
      const { stdout } = await promisify(execFile)(command, rest, {
        timeout: (warmup + duration + 90) * 1000,
        maxBuffer: 1 << 20,
      });
      return JSON.parse(stdout.trim().split('\n').pop());
    },
  };
}
