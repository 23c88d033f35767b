// Request/response over a child process's IPC channel: the orchestrator calls, children serve.
import { execFileSync, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { clearTimeout, setTimeout } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { pinned } from './pin.mjs';

/** In a child: answers `{ id, cmd, args }` with `{ id, result }` or `{ id, error }`; exits with its parent. */
export function serve(commands) {
  process.on('message', async ({ id, cmd, args }) => {
    try {
      if (!commands[cmd]) throw new Error(`unknown command ${cmd}`);
      process.send({ id, result: await commands[cmd](args) });
    } catch (err) {
      process.send({ id, error: err instanceof Error ? err.stack : String(err) });
    }
  });
  // the orchestrator went away (finished, crashed or killed): nothing left to do
  process.on('disconnect', () => process.exit(0));
}

const children = new Set();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/**
 * Forks a child script (on the cores `cpus`, a taskset list, when given) and returns
 * `call(cmd, args, timeoutMs)` and `stop()`.
 */
export function start(script, args = [], execArgv = [], cpus = undefined) {
  const [execPath, argv] = pinned(cpus, [process.execPath, ...execArgv]);
  const child = fork(script, args, { execPath, execArgv: argv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.add(child);
  const pending = new Map();
  let next = 0;
  let exited;
  child.on('message', ({ id, result, error }) => {
    const call = pending.get(id);
    if (!call) return;
    pending.delete(id);
    clearTimeout(call.timer);
    if (error) call.reject(new Error(`${script}: ${error}`));
    else call.resolve(result);
  });
  child.once('exit', (code, signal) => {
    children.delete(child);
    exited = `${script} exited (${signal ?? code})`;
    for (const call of pending.values()) {
      clearTimeout(call.timer);
      call.reject(new Error(exited));
    }
    pending.clear();
  });
  return {
    pid: child.pid,
    call(cmd, args = {}, timeoutMs = 60_000) {
      if (exited) return Promise.reject(new Error(exited));
      const id = ++next;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${script}: ${cmd} timed out after ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, { resolve, reject, timer });
        child.send({ id, cmd, args });
      });
    },
    /** Lets the child exit on its own (it writes a --cpu-prof profile then), killing it after 5 s. */
    async stop() {
      if (exited) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.disconnect();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(timer);
    },
  };
}

let ticksPerSecond;
/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
export function processCpuSeconds(pid) {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100;
  let stat;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    throw new Error(`process ${pid} is gone: it exited or was killed during the measurement`);
  }
  // fields after the command name, which is in parentheses and may contain spaces
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

/** CPU seconds all processes of the machine have used so far (every core), from /proc/stat. */
export function machineCpuSeconds() {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100;
  const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
    .slice(0, 200)
    .split('\n')[0]
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return (user + nice + system + irq + softirq + steal) / ticksPerSecond;
}

/**
 * Sums CPU readings (`{ seconds, load, other, ...one key per measured process }`, e.g. `server`)
 * into % of one core: `{ loadCpu, otherCpu, serverCpu, ... }`.
 */
export function cpuPercent(readings) {
  const sum = (key) => readings.reduce((total, r) => total + r[key], 0);
  const percent = (key) => (100 * sum(key)) / sum('seconds');
  const result = {};
  for (const key of Object.keys(readings[0] ?? { load: 0, server: 0, other: 0 })) {
    if (key !== 'seconds') result[`${key}Cpu`] = percent(key);
  }
  return result;
}

/** Other processes used more than a quarter of a core during a reading: someone's build, tests... */
export const CONTENDED = 25;

/**
 * The machine is shared: waits (up to `maxMs`) for a second in which it is nearly idle, so that a
 * measurement does not start in the middle of someone else's work. False if it never was.
 */
export async function quietMachine(maxMs) {
  const deadline = Date.now() + maxMs;
  while (Date.now() < deadline) {
    const before = machineCpuSeconds();
    await sleep(1000);
    if ((machineCpuSeconds() - before) * 100 < CONTENDED) return true;
  }
  return false;
}
