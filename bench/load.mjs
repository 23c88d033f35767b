// The load generator, in its own process: lean clients driven by the orchestrator's commands.
// It measures its own CPU use (process.cpuUsage), the server's and the rest of the machine's (/proc).
// The machine is shared and noisy, so the two servers are measured in alternating slices: a burst
// of someone else's work then weighs on both sides of a ratio alike.
import { Buffer } from 'node:buffer';
import { performance } from 'node:perf_hooks';
import { clearInterval, setInterval } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { TextEncoder } from 'node:util';
import { encodeDataPacket, MessageType, PacketType } from '@pitaya-ts/protocol';
import { ATTACKS, Attacker } from './attack.mjs';
import { CONTENDED, cpuPercent, machineCpuSeconds, processCpuSeconds, quietMachine, serve } from './ipc.mjs';
import { errorCode, frameHeaderLength, openMany, wsFrame } from './load-client.mjs';
import { ECHO_ROUTE, JOIN_ROUTE } from './routes.mjs';

const ECHO_BODY = new TextEncoder().encode(JSON.stringify({ text: 'hello, echo' }));
const MAX_SAMPLES = 1 << 21; // latency samples kept per server
const RESPONSE_FLAG = MessageType.Response << 1;
const PUSH_FLAG = MessageType.Push << 1;
const TYPE_BITS = 0x0e;
const ERROR_FLAG = 0x20;

/** A request frame; its message id is one byte at `idOffset` (ids cycle through 1..127). */
function requestFrame(route, body) {
  const packet = encodeDataPacket({ type: MessageType.Request, id: 1, route, body, error: false });
  return { frame: wsFrame(packet), idOffset: frameHeaderLength(packet.length) + 4 + 1 };
}

/**
 * CPU seconds from now to when the returned function is called: this process's, each of `pids`'s
 * (`{ name: pid }`, e.g. `{ server: pid }`), and the other processes'.
 */
function cpuMeter(pids) {
  const names = Object.keys(pids);
  const load0 = process.cpuUsage();
  const start = names.map((name) => processCpuSeconds(pids[name]));
  const machine0 = machineCpuSeconds();
  const t0 = performance.now();
  return () => {
    const { user, system } = process.cpuUsage(load0);
    const reading = { seconds: (performance.now() - t0) / 1000, load: (user + system) / 1e6 };
    let measured = reading.load;
    names.forEach((name, i) => {
      reading[name] = processCpuSeconds(pids[name]) - start[i];
      measured += reading[name];
    });
    reading.other = Math.max(0, machineCpuSeconds() - machine0 - measured);
    return reading;
  };
}

const percentile = (sorted, q) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN;

let conns = []; // every open connection, kept between commands
function closeAll() {
  for (const conn of conns) {
    conn.onClose = () => {};
    conn.close();
  }
  conns = [];
}

/** Echo clients on one server: each sends a request, waits for its response, sends the next. */
function echoClients(group, route) {
  const { frame, idOffset } = requestFrame(route, ECHO_BODY);
  const state = { phase: 'stop', inFlight: 0, completed: 0, errors: 0, drained: () => {} };
  const latencies = new Float64Array(MAX_SAMPLES);
  const send = (client, now) => {
    client.id = client.id === 127 ? 1 : client.id + 1;
    // the previous request was answered, so it was written: its buffer can be reused
    client.frame[idOffset] = client.id;
    client.sentAt = now;
    state.inFlight++;
    client.conn.write(client.frame);
  };
  const clients = group.map((conn) => {
    const client = { conn, frame: Buffer.from(frame), id: 0, sentAt: 0 };
    conn.onPacket = (type, bytes, start) => {
      if (type !== PacketType.Data) return; // heartbeats
      state.inFlight--;
      if (bytes[start] !== RESPONSE_FLAG || bytes[start + 1] !== client.id) state.errors++;
      const now = performance.now();
      if (state.phase === 'measure') latencies[state.completed++ % MAX_SAMPLES] = now - client.sentAt;
      if (state.phase !== 'stop') send(client, now);
      else if (state.inFlight === 0) state.drained();
    };
    conn.onClose = () => state.errors++;
    return client;
  });
  return {
    state,
    latencies: () => latencies.subarray(0, Math.min(state.completed, MAX_SAMPLES)).sort(),
    /** Runs every client for `settleMs` unmeasured then `ms` measured; resolves once all are answered. */
    async drive(settleMs, ms, pids) {
      state.phase = 'settle';
      const now = performance.now();
      for (const client of clients) send(client, now);
      await sleep(settleMs);
      const before = state.completed;
      state.phase = 'measure';
      const meter = cpuMeter(pids);
      await sleep(ms);
      const cpu = meter();
      state.phase = 'stop';
      if (state.inFlight > 0) await Promise.race([new Promise((resolve) => (state.drained = resolve)), sleep(10_000)]);
      return { completed: state.completed - before, cpu };
    },
  };
}

/**
 * `clients` connections to each server; a warm-up on each, then `slices` rounds in which each
 * server is loaded for `sliceMs` in turn (the order alternating). A server is `{ port, pid }`, or
 * `{ port, pids: { name: pid } }` when several processes serve it (their CPU is reported by name).
 */
async function echo({ servers, clients, warmupMs, sliceMs, slices, route = ECHO_ROUTE }) {
  const groups = [];
  const pids = servers.map((server) => server.pids ?? { server: server.pid });
  for (const { port } of servers) {
    const group = await openMany(port, clients);
    conns.push(...group);
    groups.push(echoClients(group, route));
  }
  for (const [i, group] of groups.entries()) await group.drive(0, warmupMs, pids[i]);
  const runs = servers.map(() => ({ completed: 0, cpu: [], rates: [] }));
  let retried = 0;
  for (let slice = 0; slice < slices; slice++) {
    const order = slice % 2 ? [...groups.keys()].reverse() : [...groups.keys()];
    const marks = groups.map((group) => group.state.completed);
    const pair = [];
    for (const i of order) pair[i] = await groups[i].drive(100, sliceMs, pids[i]);
    // another process took a core meanwhile: measure this pair again, a few times at most
    const contended = pair.some(({ cpu }) => (100 * cpu.other) / cpu.seconds > CONTENDED);
    if (contended && retried < slices) {
      retried++;
      groups.forEach((group, i) => (group.state.completed = marks[i])); // forget its latencies too
      await quietMachine(20_000);
      slice--;
      continue;
    }
    for (const [i, { completed, cpu }] of pair.entries()) {
      runs[i].completed += completed;
      runs[i].cpu.push(cpu);
      runs[i].rates.push(completed / cpu.seconds);
    }
  }
  closeAll();
  return runs.map((run, i) => {
    const sorted = groups[i].latencies();
    return {
      rps: run.completed / run.cpu.reduce((total, c) => total + c.seconds, 0),
      rates: run.rates,
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
      errors: groups[i].state.errors,
      retried,
      ...cpuPercent(run.cpu),
    };
  });
}

let counting; // the run between `countStart` and `countStop`

/**
 * Clients that keep one request in flight each and count every outcome: answered, answered with
 * an error (by code), or not at all. Requests stop at `maxRequests` in all. The timeline counts
 * answers and errors per `bucketMs`.
 */
async function countStart({ port, clients, route, maxRequests = 5_000_000, bucketMs = 250 }) {
  const group = await openMany(port, clients);
  conns.push(...group);
  const { frame, idOffset } = requestFrame(route, ECHO_BODY);
  const started = performance.now();
  const state = {
    sending: true,
    sent: 0,
    answered: 0,
    errors: {},
    unexpected: 0,
    closed: 0,
    inFlight: 0,
    started,
    lastAnswer: started,
    longestGapMs: 0,
    // answers and errors per bucket since the start (bounded: 4 minutes)
    bucketMs,
    timeline: Array.from({ length: Math.ceil(240_000 / bucketMs) }, () => [0, 0]),
    mark: undefined,
    drained: () => {},
  };
  const send = (client) => {
    if (!state.sending || state.sent >= maxRequests || client.conn.closed) return;
    client.id = client.id === 127 ? 1 : client.id + 1;
    client.frame[idOffset] = client.id;
    client.waiting = true;
    state.sent++;
    state.inFlight++;
    client.conn.write(client.frame);
  };
  const all = group.map((conn) => {
    const client = { conn, frame: Buffer.from(frame), id: 0, waiting: false };
    conn.onPacket = (type, bytes, start, end) => {
      if (type !== PacketType.Data) return; // heartbeats
      const flag = bytes[start];
      // a response to no request in flight, or to another one: counted, never taken as an answer
      if (!client.waiting || (flag & TYPE_BITS) !== RESPONSE_FLAG || bytes[start + 1] !== client.id) {
        state.unexpected++;
        return;
      }
      client.waiting = false;
      state.inFlight--;
      const now = performance.now();
      const bucket = state.timeline[Math.floor((now - started) / bucketMs)];
      if (bucket) bucket[flag & ERROR_FLAG ? 1 : 0]++;
      if (flag & ERROR_FLAG) {
        const code = errorCode(flag, bytes.subarray(start + 2, end));
        state.errors[code] = (state.errors[code] ?? 0) + 1;
      } else {
        if (state.sending) state.longestGapMs = Math.max(state.longestGapMs, now - state.lastAnswer);
        state.answered++;
        state.lastAnswer = now;
      }
      if (state.sending) send(client);
      else if (state.inFlight === 0) state.drained();
    };
    // a request in flight on a closed connection stays counted as unanswered
    conn.onClose = () => state.closed++;
    return client;
  });
  for (const client of all) send(client);
  counting = state;
  return all.length;
}

/** Marks the present moment of the run (ms since its start, as its timeline counts). */
function countMark() {
  counting.mark = performance.now() - counting.started;
  return counting.mark;
}

/** Stops sending, waits up to `drainMs` for the answers still due, and returns the counts. */
async function countStop({ drainMs }) {
  const state = counting;
  state.sending = false;
  // a wait still going on when the load stops counts too
  state.longestGapMs = Math.max(state.longestGapMs, performance.now() - state.lastAnswer);
  const seconds = (performance.now() - state.started) / 1000;
  if (state.inFlight > 0) await Promise.race([new Promise((resolve) => (state.drained = resolve)), sleep(drainMs)]);
  const { sent, answered, errors, inFlight: unanswered, unexpected, closed, longestGapMs, bucketMs, mark } = state;
  const timeline = state.timeline.slice(0, Math.ceil((performance.now() - state.started) / bucketMs));
  closeAll();
  counting = undefined;
  return { seconds, sent, answered, errors, unanswered, unexpected, closed, longestGapMs, bucketMs, mark, timeline };
}

/** Opens `clients` connections to a server and joins each to its group; returns a handle for the pushes. */
const members = [];
async function join({ port, clients }) {
  const group = await openMany(port, clients);
  conns.push(...group);
  const { frame } = requestFrame(JOIN_ROUTE, new Uint8Array(0));
  const joined = group.map(
    (conn) =>
      new Promise((resolve, reject) => {
        conn.onPacket = (type, bytes, start) => {
          if (type !== PacketType.Data) return;
          if (bytes[start] === RESPONSE_FLAG) resolve();
          else reject(new Error('join failed'));
        };
        conn.write(frame);
      }),
  );
  await Promise.race([Promise.all(joined), sleep(30_000).then(() => Promise.reject(new Error('join timed out')))]);
  members.push(group);
  return members.length - 1;
}

let pushes; // the broadcast being received: armed, then awaited

/** Starts counting pushes at every member of a group, before its server is told to broadcast. */
function armPushes({ group, serverPid, perClient }) {
  const expected = perClient * members[group].length;
  const state = { expected, received: 0, started: performance.now(), last: 0, meter: cpuMeter({ server: serverPid }) };
  state.done = new Promise((resolve) => (state.finish = resolve));
  for (const conn of members[group]) {
    conn.onPacket = (type, bytes, start) => {
      if (type !== PacketType.Data || (bytes[start] & 0x0e) !== PUSH_FLAG) return;
      state.last = performance.now();
      if (++state.received === expected) state.finish(state.meter());
    };
  }
  pushes = state;
  return expected;
}

/** Resolves once every push arrived, or when none arrived for `idleMs` (some were lost). */
async function awaitPushes({ idleMs = 3000, timeoutMs = 120_000 }) {
  const state = pushes;
  let seen = state.received;
  let lastProgress = performance.now();
  const deadline = lastProgress + timeoutMs;
  const poll = setInterval(() => {
    const now = performance.now();
    if (state.received !== seen) [seen, lastProgress] = [state.received, now];
    else if (now - lastProgress > idleMs || now > deadline) state.finish(state.meter());
  }, 100);
  const cpu = await state.done;
  clearInterval(poll);
  // up to the last arrival: a wait for pushes that never came does not count
  const seconds = (state.last - state.started) / 1000;
  return { expected: state.expected, received: state.received, pushesPerSecond: state.received / seconds, cpu };
}

/**
 * One well-behaved echo client, alone and then beside each attack of `attacks` (keys of ATTACKS)
 * in turn, `phaseMs` each: its latency and the server's CPU in each phase, and what the attacker got.
 */
async function attack({ port, pid, attacks, phaseMs }) {
  const [control] = await openMany(port, 1);
  conns.push(control);
  const phases = [];
  for (const name of ['alone', ...attacks]) {
    await quietMachine(20_000);
    const attacker = name === 'alone' ? undefined : new Attacker(port, ATTACKS[name].frame);
    await attacker?.start();
    const group = echoClients([control], ECHO_ROUTE);
    const { completed, cpu } = await group.drive(200, phaseMs, { server: pid });
    const outcome = attacker?.stop();
    const sorted = group.latencies();
    phases.push({
      name,
      answers: completed,
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
      max: sorted[sorted.length - 1],
      errors: group.state.errors,
      attacker: outcome,
      ...cpuPercent([cpu]),
    });
  }
  closeAll();
  return phases;
}

/** Opens `count` handshaken connections and leaves them idle. */
async function openIdle({ port, count }) {
  const group = await openMany(port, count);
  conns.push(...group);
  return group.length;
}

serve({
  echo,
  join,
  armPushes,
  awaitPushes,
  openIdle,
  countStart,
  countMark,
  countStop,
  attack,
  closeAll() {
    closeAll();
    members.length = 0;
  },
});
