// Sections 8 and 9 of `npm run bench`: pitaya-ts beside the floors (what framing alone costs) and
// beside pinus, loaded by a client that is not the bottleneck (cload, bench/cload.mjs). Every
// server runs in its own process pinned to one core, the client on the other; in each round the
// systems are loaded one after the other (the order alternating), and the ratios are the medians
// of the rounds' ratios: a burst of someone else's work weighs on one round, not on a whole column.
import { Buffer } from 'node:buffer';
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeDataPacket, MessageType, PacketType } from '@pitaya-ts/protocol';
import { loadClient } from './cload.mjs';
import { fmt, median } from './format.mjs';
import { CONTENDED, quietMachine } from './ipc.mjs';
import { LoadConnection, wsFrame } from './load-client.mjs';
import { pin, pinning, SERVER_CPU } from './pin.mjs';
import { ensurePinus, startPinus } from './pinus.mjs';
import { ECHO_ROUTE, FORWARD_ROUTE } from './routes.mjs';

const setting = (name, fallback) => Number(process.env[name] ?? fallback);
const ROUNDS = setting('BENCH_ROUNDS', 3);
const WARMUP = setting('BENCH_FLOOR_WARMUP_SECONDS', 1);
const SECONDS = setting('BENCH_FLOOR_SECONDS', 2);
// BENCH_FLOOR_SHAPES / BENCH_FORWARD_FLOOR_SHAPES: transport:connections x requests in flight each
const shapes = (name, fallback) =>
  (process.env[name] ?? fallback).split(',').map((text) => {
    const [mode, counts] = text.split(':');
    const [conns, inflight] = counts.split('x').map(Number);
    return { mode, conns, inflight };
  });
const ECHO_SHAPES = shapes('BENCH_FLOOR_SHAPES', 'ws:1x1,ws:100x10,ws:1000x1,tcp:1x1,tcp:100x10,tcp:1000x1');
const FORWARD_SHAPES = shapes('BENCH_FORWARD_FLOOR_SHAPES', 'ws:1x1,ws:1x10,ws:10x10,ws:100x10,ws:1000x1,tcp:1000x1');
// BENCH_BEFORE=<a checkout of another version, built>: section 8 measures its pitaya-ts server too,
// as `before`, in place of pinus: a change's before and after in the same rounds
const BEFORE = process.env.BENCH_BEFORE;
// BENCH_PINUS=0: without pinus (it is installed into bench/pinus/ on first use)
const WITH_PINUS = process.env.BENCH_PINUS !== '0';
const TRANSPORT = { ws: 'WebSocket', tcp: 'TCP' };
// bench/server.mjs's kinds; `json` is the floor plus JSON.parse and JSON.stringify of each body:
// the most a framework that hands its handlers parsed bodies can reach
const SERVER_KIND = { floor: 'bare', pitaya: 'pitaya', json: 'bare-json', before: 'pitaya' };
const RESPONSE_FLAG = MessageType.Response << 1;

/** Resolves once a request on `route` is answered without an error (the servers may still be joining). */
async function answers({ port, mode, route, timeoutMs = 60_000 }) {
  const packet = encodeDataPacket({
    type: MessageType.Request,
    id: 1,
    route,
    body: Buffer.from('{"ready":true}'),
    error: false,
  });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const conn = await LoadConnection.open(port, { tcp: mode === 'tcp' }).catch(() => undefined);
    const answered = await new Promise((resolve) => {
      if (!conn) return resolve(false);
      // a response, without the error flag
      conn.onPacket = (type, bytes, start) => type === PacketType.Data && resolve(bytes[start] === RESPONSE_FLAG);
      conn.onClose = () => resolve(false);
      conn.write(mode === 'tcp' ? packet : wsFrame(packet));
      void sleep(5000).then(() => resolve(false));
    });
    conn?.close();
    if (answered) return;
    if (Date.now() > deadline) throw new Error(`no answer on ${route} (port ${port}) after ${timeoutMs} ms`);
    await sleep(200);
  }
}

/**
 * Loads each system (`{ name, port: { ws, tcp }, pids }`) at `shape` in ROUNDS rounds, the order
 * alternating. A round in which other processes took more than a quarter of a core is measured
 * again (ROUNDS times at most in all), and flagged when it still was. Returns the rounds, each
 * `{ [name]: result, contended }`.
 */
async function measure(client, systems, { mode, conns, inflight }, route) {
  const rounds = [];
  let again = 0;
  while (rounds.length < ROUNDS) {
    await quietMachine(20_000);
    const order = rounds.length % 2 ? [...systems].reverse() : systems;
    const round = {};
    for (const system of order) {
      round[system.name] = await client.run({
        mode,
        port: system.port[mode],
        conns,
        inflight,
        warmup: WARMUP,
        duration: SECONDS,
        route,
        pids: system.pids,
      });
    }
    round.contended = systems.some(({ name }) => 100 * round[name].cpu.other > CONTENDED);
    if (round.contended && again < ROUNDS) {
      again++;
      continue;
    }
    rounds.push(round);
  }
  return rounds;
}

const usPerRequest = (r) => (1e6 * r.cpu.server) / r.rps;

/** Prints each system's medians over the rounds, then pitaya's ratios; returns the row of the summary. */
function report(rounds, names, { mode, conns, inflight }) {
  const of = (name, f) => median(rounds.map((round) => f(round[name])));
  console.log(`  ${TRANSPORT[mode]} ${conns} x ${inflight}`);
  for (const name of names) {
    const all = rounds.map((round) => round[name]);
    const sum = (key) => all.reduce((total, r) => total + r[key], 0);
    const trouble = [
      sum('errors') && `ERRORS ${sum('errors')}`,
      sum('badBody') && `BAD BODIES ${sum('badBody')}`,
      sum('outstanding') && `UNANSWERED ${sum('outstanding')}`,
    ].filter(Boolean);
    console.log(
      `    ${name.padEnd(6)} ${fmt(of(name, (r) => r.rps)).padStart(7)} req/s  ` +
        `p50 ${fmt(of(name, (r) => r.lat_us.p50) / 1000, 3).padStart(7)} ms  ` +
        `p99 ${fmt(of(name, (r) => r.lat_us.p99) / 1000, 3).padStart(7)} ms  ` +
        `server cpu ${fmt(of(name, (r) => 100 * r.cpu.server)).padStart(3)}%  ` +
        `${fmt(of(name, usPerRequest), 1).padStart(5)} µs/req  ` +
        `syscalls/req read ${fmt(
          of(name, (r) => r.serverSyscallsPerReq?.read),
          2,
        )} ` +
        `write ${fmt(
          of(name, (r) => r.serverSyscallsPerReq?.write),
          2,
        )}  ` +
        `others ${fmt(of(name, (r) => 100 * r.cpu.other)).padStart(3)}%  ` +
        `bodies checked ${fmt(sum('bodiesChecked'))}${trouble.length ? `  ${trouble.join('  ')}` : '  all equal'}`,
    );
  }
  const ratio = (a, b, f) => {
    const ratios = rounds.map((round) => f(round[a]) / f(round[b]));
    return { median: median(ratios), low: Math.min(...ratios), high: Math.max(...ratios) };
  };
  const show = ({ median: m, low, high }) => `${fmt(m, 2)}x (rounds ${fmt(low, 2)}-${fmt(high, 2)})`;
  const row = { shape: `${TRANSPORT[mode]} ${conns} x ${inflight}`, us: names.map((n) => of(n, usPerRequest)) };
  const [floor, pitaya, ...others] = names;
  const rps = (r) => r.rps;
  const p50 = (r) => r.lat_us.p50;
  row.floor = ratio(pitaya, floor, rps);
  row.p50 = ratio(pitaya, floor, p50);
  row.others = others.map((other) => ratio(pitaya, other, rps));
  let line = `  => pitaya/${floor}: req/s ${show(row.floor)}  p50 ${show(row.p50)}`;
  others.forEach((other, i) => {
    line += `;\n     pitaya/${other}: req/s ${show(row.others[i])}  p50 ${show(ratio(pitaya, other, p50))}`;
  });
  const contended = rounds.filter((round) => round.contended).length;
  if (contended) line += `  (${contended} of ${rounds.length} rounds with other processes busy: read with care)`;
  console.log(line);
  return row;
}

/** The section's summary, as the table in bench/RESULTS.md. */
function summary(rows, names) {
  const [floor, , ...others] = names;
  console.log(
    `\n  | shape | pitaya / ${floor} | ${others.map((other) => `pitaya / ${other} | `).join('')}` +
      `server CPU µs per request: ${names.join(', ')} |`,
  );
  for (const row of rows) {
    console.log(
      `  | ${row.shape} | ${fmt(row.floor.median, 2)}x (p50 ${fmt(row.p50.median, 2)}x) | ` +
        `${row.others.map((other) => `${fmt(other.median, 2)}x | `).join('')}${row.us.map((us) => fmt(us)).join(', ')} |`,
    );
  }
}

function header(client, title) {
  console.log(
    `\n${title}\n   client: ${
      client.name === 'cload'
        ? 'cload (C, epoll, busy-polling)'
        : 'nload (the Node client: no C compiler here; it costs more per request than the servers, read with care)'
    }; ${pinning ? 'servers pinned to core 0, client to core 1' : 'NOT PINNED (no taskset, or one core)'}; ` +
      `${ROUNDS} round${ROUNDS === 1 ? '' : 's'} of ${WARMUP} s warm-up + ${SECONDS} s per system, the order alternating; medians`,
  );
}

/** pinus, unless BENCH_PINUS=0 or it cannot be installed (then the section goes on without it). */
async function pinusOr(skip) {
  if (!WITH_PINUS) return false;
  try {
    await ensurePinus();
    return true;
  } catch (err) {
    console.log(`   pinus: not installed (${String(err.message).split('\n')[0]}): ${skip}`);
    return false;
  }
}

/**
 * Section 8: the 115-byte JSON echo on `connector.entryHandler.echo`, pitaya-ts (bench/server.mjs,
 * WebSocket and TCP acceptors) beside the floors (the same file's `bare`: a `ws` server, and a `net`
 * server that corks each read's answers into one write), the same floors parsing and stringifying
 * each body (`json`: what JSON bodies cost at the least) and pinus's hybrid connector.
 * `startServer(kind, root)` starts a bench/server.mjs server pinned to the server core (from the
 * checkout at `root` when given).
 */
export async function floorsSection(startServer) {
  const client = loadClient();
  header(client, '8. echo beside the floors and pinus: one process per server; server CPU per request');
  const withPinus = !BEFORE && (await pinusOr('measured without it'));
  const systems = [];
  try {
    for (const name of ['floor', 'pitaya', 'json', ...(BEFORE ? ['before'] : [])]) {
      const server = await startServer(SERVER_KIND[name], name === 'before' ? BEFORE : undefined);
      systems.push({ name, port: await server.call('ports'), pids: [server.pid], stop: () => server.stop() });
    }
    if (withPinus) {
      const pinus = await startPinus({ cpus: SERVER_CPU });
      const port = { ws: pinus.port, tcp: pinus.port }; // the hybrid connector takes both
      systems.push({ name: 'pinus', port, pids: [pinus.pids.front], stop: pinus.stop });
    }
    for (const { port } of systems) await answers({ port: port.ws, mode: 'ws', route: ECHO_ROUTE });
    const names = systems.map(({ name }) => name);
    const rows = [];
    for (const shape of ECHO_SHAPES) rows.push(report(await measure(client, systems, shape, ECHO_ROUTE), names, shape));
    summary(rows, names);
  } finally {
    await Promise.all(systems.map((system) => system.stop()));
  }
}

/**
 * Section 9: the forwarded path (client -> frontend -> backend -> back) with the same client, the
 * frontend, the backend and nats-server sharing the server core: pitaya-ts (connector -> NATS ->
 * room), the bare `ws`+nats.js forwarder of section 4 (its floor), and pinus (connector -> pinus-rpc
 * -> room). `withForwardServers(names, fn)` runs `fn(procs)` with bench/forward-server.mjs servers
 * pinned to the server core, on `nats` (`{ pid }`).
 */
export async function forwardFloorsSection(withForwardServers, nats) {
  const client = loadClient();
  header(
    client,
    '9. the forwarded path beside a bare ws+nats.js forwarder and pinus: frontend, backend and the\n' +
      '   broker (nats-server; pinus-rpc needs none) share the server core; server CPU is theirs together',
  );
  const withPinus = await pinusOr('measured without it');
  pin(nats.pid, SERVER_CPU);
  await withForwardServers(['room', 'connector', 'bare-echo', 'bare-front'], async (procs) => {
    const system = (name, front, back) => ({
      name,
      port: { ws: procs[front].port, tcp: procs[front].tcpPort },
      pids: [procs[front].pid, procs[back].pid, nats.pid],
      stop: async () => undefined,
    });
    const systems = [system('floor', 'bare-front', 'bare-echo'), system('pitaya', 'connector', 'room')];
    try {
      if (withPinus) {
        const pinus = await startPinus({ backend: true, cpus: SERVER_CPU });
        const port = { ws: pinus.port, tcp: pinus.port };
        systems.push({ name: 'pinus', port, pids: [pinus.pids.front, pinus.pids.back], stop: pinus.stop });
      }
      for (const { port } of systems) await answers({ port: port.ws, mode: 'ws', route: FORWARD_ROUTE });
      const names = systems.map(({ name }) => name);
      const rows = [];
      for (const shape of FORWARD_SHAPES) {
        rows.push(report(await measure(client, systems, shape, FORWARD_ROUTE), names, shape));
      }
      summary(rows, names);
    } finally {
      await Promise.all(systems.map((s) => s.stop()));
    }
  });
}
