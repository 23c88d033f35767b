// `npm run bench`: pitaya-ts against a bare `ws` server doing only the framing, measured in the same
// run with the same load generator; every result is printed as a ratio to that baseline.
// Servers and the load generator run in child processes (one core each); everything is bounded
// in time and the children die with this process.
import * as os from 'node:os';
import { fileURLToPath } from 'node:url';
import { setTimeout } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { CONTENDED, cpuPercent, quietMachine, start } from './ipc.mjs';

const setting = (name, fallback) => Number(process.env[name] ?? fallback);
const SLICES = setting('BENCH_SLICES', 8);
const SLICE_SECONDS = setting('BENCH_SLICE_SECONDS', 1);
const WARMUP_SECONDS = setting('BENCH_WARMUP_SECONDS', 2);
const SHAPES = (process.env.BENCH_CLIENTS ?? '1,100,1000').split(',').map(Number);
const MEMBERS = setting('BENCH_MEMBERS', 1000);
const PUSHES = setting('BENCH_PUSHES', 200);
const ROUNDS = setting('BENCH_ROUNDS', 3);
const IDLE = setting('BENCH_IDLE_CONNECTIONS', 2000);
const ONLY = process.env.BENCH_ONLY?.split(',') ?? ['echo', 'broadcast', 'memory'];
// BENCH_PROFILE=<dir>: each server writes CPU profiles to <dir>/<kind> (node --cpu-prof)
const PROFILE = process.env.BENCH_PROFILE;
const KINDS = ['bare', 'pitaya'];
const script = (name) => fileURLToPath(new URL(name, import.meta.url));

// a hard stop, whatever happens; the children are killed on exit (ipc.mjs)
setTimeout(() => {
  console.error('bench: time limit reached, stopping');
  process.exit(1);
}, 20 * 60_000).unref();
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));

const fmt = (n, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : '-';
const ratio = (a, b) => `${fmt(a / b, 2)}x`;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
// a load generator near a full core may be what limits a figure rather than the server
const cpu = (r) =>
  `cpu: server ${fmt(r.serverCpu).padStart(3)}%  load ${fmt(r.loadCpu).padStart(3)}%  others ${fmt(r.otherCpu).padStart(3)}%` +
  (r.loadCpu > 90 ? '  (load generator near its limit)' : '');
const remeasured = (count) => (count ? `  (${count} contended pair${count > 1 ? 's' : ''} measured again)` : '');
/** The median of pairwise ratios (slices measured back to back), and their range. */
const pairs = (a, b) => {
  const ratios = a.map((x, i) => x / b[i]);
  return `${fmt(median(ratios), 2)}x (pairs ${fmt(Math.min(...ratios), 2)}-${fmt(Math.max(...ratios), 2)})`;
};

/** Starts a server of each kind, runs `fn({ bare, pitaya })` (each `{ pid, port, call }`), stops them. */
async function withServers(fn, execArgv = []) {
  if (!(await quietMachine(60_000))) console.log('  (the machine stayed busy for a minute: measuring anyway)');
  const servers = {};
  try {
    for (const kind of KINDS) {
      const flags = PROFILE ? [...execArgv, '--cpu-prof', `--cpu-prof-dir=${PROFILE}/${kind}`] : execArgv;
      const server = (servers[kind] = start(script('server.mjs'), [kind], flags));
      server.port = await server.call('port', {}, 30_000);
    }
    return await fn(servers);
  } finally {
    await Promise.all(Object.values(servers).map((server) => server.stop()));
  }
}

async function echoSection(load) {
  console.log(
    `\n1. echo request/response: ${WARMUP_SECONDS} s warm-up each, then ${SLICES} slices of ${SLICE_SECONDS} s ` +
      'on each server in turn',
  );
  for (const clients of SHAPES) {
    const [bare, pitaya] = await withServers((servers) =>
      load.call(
        'echo',
        {
          servers: KINDS.map((kind) => ({ port: servers[kind].port, pid: servers[kind].pid })),
          clients,
          warmupMs: WARMUP_SECONDS * 1000,
          sliceMs: SLICE_SECONDS * 1000,
          slices: SLICES,
        },
        // warm-ups, then each pair measured up to twice (with its drains), with waits for quiet in between
        (2 * WARMUP_SECONDS + 4 * SLICES * (SLICE_SECONDS + 11) + SLICES * 21) * 1000 + 60_000,
      ),
    );
    for (const [kind, r] of [
      ['bare', bare],
      ['pitaya', pitaya],
    ]) {
      console.log(
        `  ${String(clients).padStart(4)} clients  ${kind.padEnd(6)} ${fmt(r.rps).padStart(7)} req/s  ` +
          `p50 ${fmt(r.p50, 3).padStart(6)} ms  p99 ${fmt(r.p99, 3).padStart(7)} ms  ${cpu(r)}` +
          `${r.errors ? `  ERRORS ${r.errors}` : ''}`,
      );
    }
    console.log(
      `  => pitaya/bare: req/s ${pairs(pitaya.rates, bare.rates)}  p50 ${ratio(pitaya.p50, bare.p50)}  ` +
        `p99 ${ratio(pitaya.p99, bare.p99)}${remeasured(bare.retried)}`,
    );
  }
}

async function broadcastSection(load) {
  console.log(
    `\n2. broadcast: ${PUSHES} pushes to a group of ${MEMBERS} clients, ${ROUNDS} rounds on each server in turn`,
  );
  for (const perTurn of [1, 10]) {
    const results = await withServers(async (servers) => {
      const runs = { bare: [], pitaya: [], retried: 0 };
      const groups = {};
      for (const kind of KINDS)
        groups[kind] = await load.call('join', { port: servers[kind].port, clients: MEMBERS }, 120_000);
      for (let round = 0; round < ROUNDS; round++) {
        const pair = {};
        for (const kind of round % 2 ? [...KINDS].reverse() : KINDS) {
          const server = servers[kind];
          await load.call('armPushes', { group: groups[kind], serverPid: server.pid, perClient: PUSHES });
          const sent = server.call('broadcast', { count: PUSHES, perTurn }, 120_000);
          pair[kind] = await load.call('awaitPushes', {}, 180_000);
          await sent;
        }
        // another process took a core meanwhile: this round again, a few times at most
        if (KINDS.some((kind) => cpuPercent([pair[kind].cpu]).otherCpu > CONTENDED) && runs.retried < ROUNDS) {
          runs.retried++;
          await quietMachine(20_000);
          round--;
          continue;
        }
        for (const kind of KINDS) runs[kind].push(pair[kind]);
      }
      await load.call('closeAll');
      return runs;
    });
    const rates = (kind) => results[kind].map((r) => r.pushesPerSecond);
    for (const kind of KINDS) {
      const runs = results[kind];
      const lost = runs.reduce((total, r) => total + r.expected - r.received, 0);
      console.log(
        `  ${String(perTurn).padStart(2)} push${perTurn > 1 ? 'es' : '  '}/turn  ${kind.padEnd(6)} ` +
          `${fmt(median(rates(kind))).padStart(9)} pushes/s delivered (median)  ${cpu(cpuPercent(runs.map((r) => r.cpu)))}` +
          `${lost ? `  LOST ${fmt(lost)}` : ''}`,
      );
    }
    console.log(`  => pitaya/bare: pushes/s ${pairs(rates('pitaya'), rates('bare'))}${remeasured(results.retried)}`);
  }
}

async function memorySection(load) {
  console.log(`\n3. memory: ${IDLE} idle handshaken connections (after a full GC)`);
  const perConnection = {};
  await withServers(
    async (servers) => {
      for (const kind of KINDS) {
        const server = servers[kind];
        const before = await server.call('memory');
        const count = await load.call('openIdle', { port: server.port, count: IDLE }, 120_000);
        await sleep(1000);
        const after = await server.call('memory');
        await load.call('closeAll');
        const per = (key) => (after[key] - before[key]) / count;
        perConnection[kind] = { rss: per('rss'), heap: per('heapUsed') };
        console.log(
          `  ${kind.padEnd(6)} rss ${fmt(per('rss') / 1024, 1).padStart(5)} kB/conn  heap ${fmt(per('heapUsed') / 1024, 1).padStart(5)} kB/conn` +
            `  (rss ${fmt(before.rss / 2 ** 20, 1)} -> ${fmt(after.rss / 2 ** 20, 1)} MB)`,
        );
      }
    },
    ['--expose-gc'],
  );
  const { bare, pitaya } = perConnection;
  console.log(`  => pitaya/bare: rss/conn ${ratio(pitaya.rss, bare.rss)}  heap/conn ${ratio(pitaya.heap, bare.heap)}`);
}

console.log(
  `pitaya-ts bench, ${new Date().toISOString()}, node ${process.version}, ${os.cpus().length} cores ` +
    `(${os.cpus()[0]?.model.trim()})`,
);
const load = start(script('load.mjs'));
try {
  if (ONLY.includes('echo')) await echoSection(load);
  if (ONLY.includes('broadcast')) await broadcastSection(load);
  if (ONLY.includes('memory')) await memorySection(load);
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  await load.stop();
}
