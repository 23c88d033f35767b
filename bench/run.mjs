// `npm run bench`: pitaya-ts against a bare `ws` server doing only the framing, measured in the same
// run with the same load generator; every result is printed as a ratio to that baseline. The
// forwarded path (connector -> NATS -> room) is measured against a bare ws frontend doing plain
// nats.js request/reply, once more while nats-server restarts, and once more while one of two room
// servers is killed. Hostile clients are measured by what they do to a well-behaved client's
// latency, against the same client alone.
// Sections 8 and 9 (bench/floors.mjs) measure the echo and the forwarded path again with a C client
// that is not the bottleneck, servers and client pinned to a core each, beside the floors (framing
// alone) and pinus.
// Servers and the load generator run in child processes (one core each); everything is bounded
// in time and the children die with this process.
import { rmSync } from 'node:fs';
import * as os from 'node:os';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { startEtcdServer, startNatsServer } from '@pitaya-ts/testing';
import { ATTACK_IN_FLIGHT, ATTACKS } from './attack.mjs';
import { floorsSection, forwardFloorsSection } from './floors.mjs';
import { forwardGrpcSection } from './forward-grpc.mjs';
import { tracingSection } from './tracing.mjs';
import { fmt, median } from './format.mjs';
import { CONTENDED, cpuPercent, quietMachine, start } from './ipc.mjs';
import { SERVER_CPU } from './pin.mjs';
import { FORWARD_ROUTE } from './routes.mjs';

const setting = (name, fallback) => Number(process.env[name] ?? fallback);
const SLICES = setting('BENCH_SLICES', 8);
const SLICE_SECONDS = setting('BENCH_SLICE_SECONDS', 1);
const WARMUP_SECONDS = setting('BENCH_WARMUP_SECONDS', 2);
const SHAPES = (process.env.BENCH_CLIENTS ?? '1,100,1000').split(',').map(Number);
const MEMBERS = setting('BENCH_MEMBERS', 1000);
const PUSHES = setting('BENCH_PUSHES', 200);
const ROUNDS = setting('BENCH_ROUNDS', 3);
const IDLE = setting('BENCH_IDLE_CONNECTIONS', 2000);
const RECONNECT_CLIENTS = setting('BENCH_RECONNECT_CLIENTS', 100);
const ATTACK_SECONDS = setting('BENCH_ATTACK_SECONDS', 5);
const KILL_CLIENTS = setting('BENCH_KILL_CLIENTS', 100);
// BENCH_FORWARD_DISPATCH=n: `pitaya.concurrency.handler.dispatch` of the pitaya-ts servers (default: the framework's)
const DISPATCH = process.env.BENCH_FORWARD_DISPATCH ? Number(process.env.BENCH_FORWARD_DISPATCH) : undefined;
// BENCH_FORWARD_PIPELINE=n: `pitaya.concurrency.handler.pipeline` of the pitaya-ts servers (1: not pipelined)
const PIPELINE = process.env.BENCH_FORWARD_PIPELINE ? Number(process.env.BENCH_FORWARD_PIPELINE) : undefined;
// sections: echo, broadcast, memory, floors (the echo beside the floors and pinus, C client),
// forward (the forwarded path and the NATS restart), kill (a room server killed under forwarded
// load), forward-grpc (the forwarded path over gRPC beside NATS), forward-floors (the forwarded
// path beside its floor and pinus, C client), attack, tracing (the forwarded path with tracing off
// and on)
const ONLY = process.env.BENCH_ONLY?.split(',') ?? [
  'echo',
  'broadcast',
  'memory',
  'floors',
  'forward',
  'kill',
  'forward-grpc',
  'forward-floors',
  'attack',
  'tracing',
];
const FORWARD_SECTIONS = ['forward', 'kill', 'forward-grpc', 'forward-floors', 'tracing'];
// BENCH_TRACING_CLIENTS: connections of the tracing section
const TRACING_CLIENTS = setting('BENCH_TRACING_CLIENTS', 100);
// BENCH_PROFILE=<dir>: each server writes CPU profiles to <dir>/<kind> (node --cpu-prof); the
// forwarded path's to <dir>/forward-<kind>, one file per process started
const PROFILE = process.env.BENCH_PROFILE;
// BENCH_TIMELINE=1: the NATS restart and room kill runs also print answers/errors per time bucket
const TIMELINE = Boolean(process.env.BENCH_TIMELINE);
const KINDS = ['bare', 'pitaya'];
const script = (name) => fileURLToPath(new URL(name, import.meta.url));

// a hard stop, whatever happens; the children are killed on exit (ipc.mjs)
setTimeout(() => {
  console.error('bench: time limit reached, stopping');
  process.exit(1);
}, 45 * 60_000).unref();
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));

const ratio = (a, b) => `${fmt(a / b, 2)}x`;
// a load generator near a full core may be what limits a figure rather than the server
const cpu = (r) =>
  `cpu: server ${fmt(r.serverCpu).padStart(3)}%  load ${fmt(r.loadCpu).padStart(3)}%  others ${fmt(r.otherCpu).padStart(3)}%` +
  (r.loadCpu > 90 ? '  (load generator near its limit)' : '');
const remeasured = (count) => (count ? `  (${count} contended pair${count > 1 ? 's' : ''} measured again)` : '');
const forwardCpu = (r) =>
  `cpu: front ${fmt(r.frontCpu).padStart(3)}%  back ${fmt(r.backCpu).padStart(3)}%  nats ${fmt(r.natsCpu).padStart(3)}%  ` +
  `load ${fmt(r.loadCpu).padStart(3)}%  others ${fmt(r.otherCpu).padStart(3)}%` +
  (r.loadCpu > 90 ? '  (load generator near its limit)' : '');
/** The median of pairwise ratios (slices measured back to back), and their range. */
const pairs = (a, b) => {
  const ratios = a.map((x, i) => x / b[i]);
  return `${fmt(median(ratios), 2)}x (pairs ${fmt(Math.min(...ratios), 2)}-${fmt(Math.max(...ratios), 2)})`;
};

/** Starts a server of each kind, runs `fn({ bare, pitaya })` (each `{ pid, port, call }`), stops them. */
async function withServers(fn, execArgv = [], kinds = KINDS) {
  if (!(await quietMachine(60_000))) console.log('  (the machine stayed busy for a minute: measuring anyway)');
  const servers = {};
  try {
    for (const kind of kinds) {
      const flags = PROFILE ? [...execArgv, '--cpu-prof', `--cpu-prof-dir=${PROFILE}/${kind}`] : execArgv;
      const server = (servers[kind] = start(script('server.mjs'), [kind], flags));
      server.port = await server.call('port', {}, 30_000);
    }
    return await fn(servers);
  } finally {
    await Promise.all(Object.values(servers).map((server) => server.stop()));
  }
}

/**
 * A bench/server.mjs server of `kind` for section 8, pinned to the server core; from the checkout
 * at `root` when given (BENCH_BEFORE: another version of the packages, built).
 */
async function startFloorServer(kind, root) {
  const flags = PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE}/floors-${root ? 'before' : kind}`] : [];
  const file = root ? join(root, 'bench/server.mjs') : script('server.mjs');
  const server = start(file, [kind], flags, SERVER_CPU);
  await server.call('port', {}, 30_000);
  return server;
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

let forwardRuns = 0;

/**
 * Starts the forwarded path's processes on the given NATS and etcd, waits until the connector sees
 * its room servers, runs `fn(procs)`, then stops them: a graceful shutdown first (they leave etcd),
 * then the processes end. `names` are kinds of bench/forward-server.mjs, numbered when a kind comes
 * twice (`room`, `room-2`); `procs` has them by name. `cpus`: the cores they are pinned to; `extra`:
 * more options of their `start`.
 */
async function withForwardServers({ nats, etcd }, names, fn, cpus = undefined, extra = {}) {
  if (!(await quietMachine(60_000))) console.log('  (the machine stayed busy for a minute: measuring anyway)');
  // a prefix of their own: servers of an earlier shape are never seen, even if one lingered
  const options = {
    natsUrl: nats.url,
    etcdEndpoint: etcd.endpoint,
    prefix: `bench-${process.pid}-${++forwardRuns}/`,
    dispatch: DISPATCH,
    pipeline: PIPELINE,
    ...extra,
  };
  const procs = {};
  const kindOf = (name) => name.replace(/-\d+$/, '');
  try {
    for (const name of names) {
      const kind = kindOf(name);
      const flags = PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE}/forward-${kind}`] : [];
      const proc = (procs[name] = start(script('forward-server.mjs'), [kind], flags, cpus));
      Object.assign(proc, await proc.call('start', options, 60_000));
    }
    const rooms = names.filter((name) => kindOf(name) === 'room').length;
    if (procs.connector) await procs.connector.call('sees', { type: 'room', count: rooms }, 40_000);
    return await fn(procs);
  } finally {
    await Promise.all(Object.values(procs).map((proc) => proc.call('shutdown', {}, 15_000).catch(() => undefined)));
    await Promise.all(Object.values(procs).map((proc) => proc.stop()));
  }
}

async function forwardEcho(load, infra) {
  console.log(
    '\n4. forwarded request/response: client -> connector (WebSocket) -> NATS -> room backend -> back\n' +
      '   baseline "nats": a bare ws frontend doing one nats.js request/reply per request to a bare responder\n' +
      `   ${WARMUP_SECONDS} s warm-up each, then ${SLICES} slices of ${SLICE_SECONDS} s on each in turn; ` +
      'cpu of the frontend, the backend, nats-server and the load generator',
  );
  for (const clients of SHAPES) {
    const [bare, pitaya] = await withForwardServers(
      infra,
      ['room', 'connector', 'bare-echo', 'bare-front'],
      (procs) => {
        const system = (front, back) => ({
          port: procs[front].port,
          pids: { front: procs[front].pid, back: procs[back].pid, nats: infra.nats.pid },
        });
        return load.call(
          'echo',
          {
            servers: [system('bare-front', 'bare-echo'), system('connector', 'room')],
            clients,
            route: FORWARD_ROUTE,
            warmupMs: WARMUP_SECONDS * 1000,
            sliceMs: SLICE_SECONDS * 1000,
            slices: SLICES,
          },
          (2 * WARMUP_SECONDS + 4 * SLICES * (SLICE_SECONDS + 11) + SLICES * 21) * 1000 + 60_000,
        );
      },
    );
    for (const [kind, r] of [
      ['nats', bare],
      ['pitaya', pitaya],
    ]) {
      console.log(
        `  ${String(clients).padStart(4)} clients  ${kind.padEnd(6)} ${fmt(r.rps).padStart(7)} req/s  ` +
          `p50 ${fmt(r.p50, 3).padStart(6)} ms  p99 ${fmt(r.p99, 3).padStart(7)} ms  ${forwardCpu(r)}` +
          `${r.errors ? `  ERRORS ${r.errors}` : ''}`,
      );
    }
    console.log(
      `  => pitaya/nats: req/s ${pairs(pitaya.rates, bare.rates)}  p50 ${ratio(pitaya.p50, bare.p50)}  ` +
        `p99 ${ratio(pitaya.p99, bare.p99)}${remeasured(bare.retried)}`,
    );
  }
}

async function forwardReconnect(load, infra) {
  const { nats } = infra;
  console.log(
    `\n5. nats-server restarted under forwarded load: ${RECONNECT_CLIENTS} clients, one request in flight each;\n` +
      '   stopped after 2 s, started again 0.5 s later, 5 s more load, then up to 15 s for the answers still due',
  );
  await withForwardServers(infra, ['room', 'connector'], async (procs) => {
    await load.call(
      'countStart',
      { port: procs.connector.port, clients: RECONNECT_CLIENTS, route: FORWARD_ROUTE },
      60_000,
    );
    await sleep(2000);
    const down = performance.now();
    await nats.stop();
    await sleep(500);
    await nats.start();
    const downSeconds = (performance.now() - down) / 1000;
    await sleep(5000);
    const r = await load.call('countStop', { drainMs: 15_000 }, 30_000);
    const errors = Object.entries(r.errors).sort((a, b) => b[1] - a[1]);
    const errorCount = errors.reduce((total, [, count]) => total + count, 0);
    console.log(
      `  sent ${fmt(r.sent)}  answered ${fmt(r.answered)}  answered with an error ${fmt(errorCount)}` +
        `${errors.length ? ` (${errors.map(([code, count]) => `${code} x ${fmt(count)}`).join(', ')})` : ''}` +
        `  left without an answer ${fmt(r.unanswered)}`,
    );
    console.log(
      `  nats-server away ${fmt(downSeconds, 2)} s (stop, 0.5 s, start until ready); longest wait between two ` +
        `successful answers ${fmt(r.longestGapMs)} ms; ${fmt(r.seconds, 1)} s of load` +
        `${r.unexpected ? `; UNEXPECTED RESPONSES ${fmt(r.unexpected)}` : ''}` +
        `${r.closed ? `; CONNECTIONS CLOSED ${fmt(r.closed)}` : ''}`,
    );
    if (r.answered + errorCount + r.unanswered !== r.sent) console.log('  COUNTS DO NOT ADD UP');
    if (TIMELINE) console.log(timeline(r));
  });
}

const timeline = (r) => r.timeline.map(([ok, failed], i) => `${i * r.bucketMs}ms ${ok}/${failed}`).join('  ');

/**
 * How long after `fromMs` the answers came at the normal rate again: the start of the first run of
 * buckets (a quarter second) without errors whose answers reach 90% of the rate in the second
 * before `fromMs`. Undefined when that never happened.
 */
function recovery({ timeline: buckets, bucketMs }, fromMs) {
  const first = Math.floor(fromMs / bucketMs);
  const before = buckets.slice(Math.max(0, first - Math.round(1000 / bucketMs)), first).map(([ok]) => ok);
  const normal = median(before);
  const run = Math.max(1, Math.round(250 / bucketMs));
  for (let i = first; i + run <= buckets.length; i++) {
    const window = buckets.slice(i, i + run);
    const answered = window.reduce((total, [ok]) => total + ok, 0);
    if (window.every(([, failed]) => failed === 0) && answered >= 0.9 * normal * run) {
      return { afterMs: Math.max(0, i * bucketMs - fromMs), normalRate: (normal * 1000) / bucketMs };
    }
  }
  return { afterMs: undefined, normalRate: (normal * 1000) / bucketMs };
}

const KILL_AFTER_MS = 2000;
const KILL_LOAD_MS = 7000;

async function forwardKill(load, infra) {
  console.log(
    `\n6. a room server killed (SIGKILL) under forwarded load: ${KILL_CLIENTS} clients, one request in flight each, on a\n` +
      '   connector routing to two room servers at random; one is killed after 2 s (its etcd lease lives on),\n' +
      `   ${KILL_LOAD_MS / 1000} s more load (beyond the 5 s RPC timeout), then up to 15 s for the answers still due`,
  );
  await withForwardServers(infra, ['room', 'room-2', 'connector'], async (procs) => {
    const bucketMs = 50;
    await load.call(
      'countStart',
      { port: procs.connector.port, clients: KILL_CLIENTS, route: FORWARD_ROUTE, bucketMs },
      60_000,
    );
    await sleep(KILL_AFTER_MS);
    const killedAt = await load.call('countMark');
    process.kill(procs['room-2'].pid, 'SIGKILL');
    await sleep(KILL_LOAD_MS);
    const r = await load.call('countStop', { drainMs: 15_000 }, 30_000);
    const errors = Object.entries(r.errors).sort((a, b) => b[1] - a[1]);
    const errorCount = errors.reduce((total, [, count]) => total + count, 0);
    const { afterMs, normalRate } = recovery(r, killedAt);
    const lastSecond = r.timeline
      .slice(Math.floor((killedAt + KILL_LOAD_MS - 1000) / bucketMs), Math.floor((killedAt + KILL_LOAD_MS) / bucketMs))
      .reduce((total, [ok]) => total + ok, 0);
    console.log(
      `  sent ${fmt(r.sent)}  answered ${fmt(r.answered)}  answered with an error ${fmt(errorCount)}` +
        `${errors.length ? ` (${errors.map(([code, count]) => `${code} x ${fmt(count)}`).join(', ')})` : ''}` +
        `  left without an answer ${fmt(r.unanswered)}`,
    );
    console.log(
      `  ${fmt(normalRate)} req/s in the second before the kill, ${fmt(lastSecond)} in the last second of load; ` +
        'back to 90% of the first without errors ' +
        `${afterMs === undefined ? 'NEVER' : `${fmt(afterMs)} ms after the kill (${bucketMs} ms buckets)`}; ` +
        `longest wait between two successful answers ${fmt(r.longestGapMs)} ms; ${fmt(r.seconds, 1)} s of load` +
        `${r.unexpected ? `; UNEXPECTED RESPONSES ${fmt(r.unexpected)}` : ''}` +
        `${r.closed ? `; CONNECTIONS CLOSED ${fmt(r.closed)}` : ''}`,
    );
    if (r.answered + errorCount + r.unanswered !== r.sent) console.log('  COUNTS DO NOT ADD UP');
    if (TIMELINE) console.log(timeline(r));
  });
}

async function forwardSection(load) {
  const infra = {};
  try {
    infra.nats = await startNatsServer();
    infra.etcd = await startEtcdServer();
  } catch (err) {
    await infra.nats?.stop();
    console.log(`\n4. forwarded path: skipped (${String(err instanceof Error ? err.message : err).split('\n')[0]})`);
    return;
  }
  // the etcd data folder goes even when the bench is cut short (the servers die with this process)
  const removeEtcdData = () => rmSync(infra.etcd.dataDir, { recursive: true, force: true });
  process.once('exit', removeEtcdData);
  try {
    if (ONLY.includes('forward')) {
      await forwardEcho(load, infra);
      await forwardReconnect(load, infra);
    }
    if (ONLY.includes('kill')) await forwardKill(load, infra);
    if (ONLY.includes('forward-grpc')) {
      await forwardGrpcSection({
        load,
        infra,
        withServers: (names, fn) => withForwardServers(infra, names, fn),
        shapes: SHAPES,
        timing: { warmupSeconds: WARMUP_SECONDS, sliceSeconds: SLICE_SECONDS, slices: SLICES },
      });
    }
    if (ONLY.includes('forward-floors')) {
      await forwardFloorsSection((names, fn) => withForwardServers(infra, names, fn, SERVER_CPU), infra.nats);
    }
    if (ONLY.includes('tracing')) {
      await tracingSection(load, (names, fn, extra) => withForwardServers(infra, names, fn, undefined, extra), {
        clients: TRACING_CLIENTS,
        warmupMs: WARMUP_SECONDS * 1000,
        sliceMs: SLICE_SECONDS * 1000,
        slices: SLICES,
        natsPid: infra.nats.pid,
        pairs,
        forwardCpu,
      });
    }
  } finally {
    await infra.nats.stop();
    await infra.etcd.destroy();
    process.off('exit', removeEtcdData);
  }
}

async function attackSection(load) {
  console.log(
    `\n7. hostile clients: a well-behaved client's echo latency (one request in flight), alone, then while one\n` +
      `   other connection attacks with ${ATTACK_IN_FLIGHT} requests in flight (another connection each time it is closed);\n` +
      `   ${ATTACK_SECONDS} s each, pitaya-ts with its default settings`,
  );
  const phases = await withServers(
    ({ pitaya }) =>
      load.call(
        'attack',
        { port: pitaya.port, pid: pitaya.pid, attacks: Object.keys(ATTACKS), phaseMs: ATTACK_SECONDS * 1000 },
        (Object.keys(ATTACKS).length + 1) * (ATTACK_SECONDS + 15) * 1000 + 60_000,
      ),
    [],
    ['pitaya'],
  );
  const outcome = ({ sent, answered, errors, closes }) =>
    [
      `sent ${fmt(sent)}`,
      `answered ${fmt(answered)}`,
      ...Object.entries(errors).map(([code, count]) => `${code} x ${fmt(count)}`),
      `closed ${fmt(closes)} times`,
    ].join(', ');
  const alone = phases[0];
  for (const r of phases) {
    console.log(
      `  ${(ATTACKS[r.name]?.label ?? 'alone').padEnd(39)} p50 ${fmt(r.p50, 3).padStart(7)} ms  ` +
        `p99 ${fmt(r.p99, 3).padStart(8)} ms  max ${fmt(r.max, 1).padStart(7)} ms  ${fmt(r.answers).padStart(6)} answers  ` +
        `${cpu(r)}${r.errors ? `  ERRORS ${r.errors}` : ''}` +
        (r.attacker ? `\n  ${''.padEnd(39)} attacker: ${outcome(r.attacker)}` : ''),
    );
  }
  console.log(
    `  => under attack / alone: ${phases
      .slice(1)
      .map((r) => `${r.name} p50 ${ratio(r.p50, alone.p50)} p99 ${ratio(r.p99, alone.p99)}`)
      .join(', ')}`,
  );
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
  if (ONLY.includes('floors')) await floorsSection(startFloorServer);
  if (FORWARD_SECTIONS.some((name) => ONLY.includes(name))) await forwardSection(load);
  if (ONLY.includes('attack')) await attackSection(load);
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  await load.stop();
}
