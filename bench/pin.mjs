// Pinning processes to cores with taskset (util-linux), so that a server and the load client do not
// take turns on one core. Without taskset (or on a machine of one core) nothing is pinned.
import { execFileSync } from 'node:child_process';
import * as os from 'node:os';

const hasTaskset = (() => {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return os.cpus().length > 1;
  } catch {
    return false;
  }
})();

/** Whether processes are pinned here; the bench says so when they are not. */
export const pinning = hasTaskset;

/** The core the servers run on, and the one the load client runs on. */
export const SERVER_CPU = '0';
export const CLIENT_CPU = '1';

/** `[command, args]` that run `argv` on `cpus` (a taskset list such as '0'), or as it is. */
export function pinned(cpus, [command, ...args]) {
  return cpus && hasTaskset ? ['taskset', ['-c', cpus, command, ...args]] : [command, args];
}

/** Pins a running process, every thread of it, to `cpus`. */
export function pin(pid, cpus) {
  if (cpus && hasTaskset) execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
}
