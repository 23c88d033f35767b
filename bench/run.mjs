// `npm run bench`: pitaya-ts against a bare `ws` server doing only the framing, measured in the same
// run with the same load generator; every result is printed as a ratio to that baseline.
// Servers and the load generator run in child processes (one core each); everything is bounded
// in time and the children die with this process.
import * as os from 'node:os';
import { fileURLToPath } from 'node:url';
import { setTimeout } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { machineCpuSeconds, start } from './ipc.mjs';

const setting = (name, fallback) => Number(process.env[name] ?? fallback);
const SECONDS = setting('BENCH_SECONDS', 5);
const WARMUP_SECONDS = setting('BENCH_WARMUP_SECONDS', 2);
const ROUNDS = setting('BENCH_ROUNDS', 1);
const SHAPES = (process.env.BENCH_CLIENTS ?? '1,100,1000').split(',').map(Number);
const MEMBERS = setting('BENCH_MEMBERS', 1000);
const PUSHES = setting('BENCH_PUSHES', 200);
const IDLE = setting('BENCH_IDLE_CONNECTIONS', 2000);
const ONLY = process.env.BENCH_ONLY?.split(',') ?? ['echo', 'broadcast', 'memory'];
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
const cpu = (r) =>
  `cpu: server ${fmt(r.serverCpu).padStart(3)}%  load ${fmt(r.loadCpu).padStart(3)}%  others ${fmt(r.otherCpu).padStart(3)}%` +
  (r.otherCpu > 25 ? ' (contended)' : '');

/**
 * The machine is shared: waits (up to a minute) for a second in which other processes use less
 * than a quarter of a core, so that a measurement does not start in the middle of someone's build.
 */
async function quietMachine() {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const before = machineCpuSeconds();
    await sleep(1000);
    if (machineCpuSeconds() - before < 0.25) return;
  }
  console.log('  (the machine stayed busy for a minute: measuring anyway)');
}

/** Runs `fn(server, port)` against a fresh server process of that kind, then kills it. */
async function withServer(kind, fn, execArgv = []) {
  await quietMachine();
  const server = start(script('server.mjs'), [kind], execArgv);
  try {
    const port = await server.call('port', {}, 30_000);
    return await fn(server, port);
  } finally {
    await server.stop();
  }
}

/** Each kind `ROUNDS` times, alternating the order; the best round of each kind is kept. */
async function compare(label, measure, better) {
  const best = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const kind of round % 2 ? [...KINDS].reverse() : KINDS) {
      const result = await withServer(kind, measure.run, measure.execArgv);
      console.log(`  ${kind.padEnd(6)} ${label.padEnd(18)} ${measure.describe(result)}`);
      if (!best[kind] || better(result, best[kind])) best[kind] = result;
    }
  }
  return best;
}

async function echoSection(load) {
  console.log(`\n1. echo request/response: ${WARMUP_SECONDS} s warm-up, then ${SECONDS} s measured`);
  for (const clients of SHAPES) {
    const best = await compare(
      `${clients} client${clients > 1 ? 's' : ''}`,
      {
        run: (server, port) =>
          load.call(
            'echo',
            { port, serverPid: server.pid, clients, warmupMs: WARMUP_SECONDS * 1000, durationMs: SECONDS * 1000 },
            (SECONDS + WARMUP_SECONDS) * 1000 + 120_000,
          ),
        describe: (r) =>
          `${fmt(r.rps).padStart(7)} req/s  p50 ${fmt(r.p50, 3).padStart(6)} ms  p99 ${fmt(r.p99, 3).padStart(6)} ms  ` +
          `${cpu(r)}${r.errors ? `  ERRORS ${r.errors}` : ''}`,
      },
      (a, b) => a.rps > b.rps,
    );
    const [bare, pitaya] = [best.bare, best.pitaya];
    console.log(
      `  => pitaya/bare: req/s ${ratio(pitaya.rps, bare.rps)}  p50 ${ratio(pitaya.p50, bare.p50)}  ` +
        `p99 ${ratio(pitaya.p99, bare.p99)}`,
    );
  }
}

async function broadcastSection(load) {
  console.log(`\n2. broadcast: ${PUSHES} pushes to a group of ${MEMBERS} connected clients`);
  for (const perTurn of [1, 10]) {
    const best = await compare(
      `${perTurn} push${perTurn > 1 ? 'es' : ''}/turn`,
      {
        async run(server, port) {
          await load.call('join', { port, clients: MEMBERS }, 120_000);
          await load.call('armPushes', { serverPid: server.pid, perClient: PUSHES });
          const sent = server.call('broadcast', { count: PUSHES, perTurn }, 120_000);
          const result = await load.call('awaitPushes', {}, 180_000);
          await sent;
          return result;
        },
        describe: (r) =>
          `${fmt(r.pushesPerSecond).padStart(9)} pushes/s delivered (${fmt(r.received)} of ${fmt(r.expected)})  ${cpu(r)}`,
      },
      (a, b) => a.pushesPerSecond > b.pushesPerSecond,
    );
    console.log(`  => pitaya/bare: pushes/s ${ratio(best.pitaya.pushesPerSecond, best.bare.pushesPerSecond)}`);
  }
}

async function memorySection(load) {
  console.log(`\n3. memory: ${IDLE} idle handshaken connections (after a full GC)`);
  const per = (r, key) => (r.after[key] - r.before[key]) / r.count;
  const best = await compare(
    `${IDLE} idle`,
    {
      execArgv: ['--expose-gc'],
      async run(server, port) {
        const before = await server.call('memory');
        const count = await load.call('openIdle', { port, count: IDLE }, 120_000);
        await sleep(1000);
        const after = await server.call('memory');
        await load.call('closeAll');
        return { before, after, count };
      },
      describe: (r) =>
        `rss ${fmt(per(r, 'rss') / 1024, 1).padStart(5)} kB/conn  heap ${fmt(per(r, 'heapUsed') / 1024, 1).padStart(5)} kB/conn` +
        `  (rss ${fmt(r.before.rss / 2 ** 20, 1)} -> ${fmt(r.after.rss / 2 ** 20, 1)} MB)`,
    },
    (a, b) => per(a, 'rss') < per(b, 'rss'),
  );
  console.log(
    `  => pitaya/bare: rss/conn ${ratio(per(best.pitaya, 'rss'), per(best.bare, 'rss'))}  ` +
      `heap/conn ${ratio(per(best.pitaya, 'heapUsed'), per(best.bare, 'heapUsed'))}`,
  );
}

console.log(
  `pitaya-ts bench, ${new Date().toISOString()}, node ${process.version}, ${os.cpus().length} cores ` +
    `(${os.cpus()[0]?.model.trim()}), rounds ${ROUNDS}`,
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
