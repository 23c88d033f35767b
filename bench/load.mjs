// The load generator, in its own process: lean clients driven by the orchestrator's commands.
// It measures its own CPU use (process.cpuUsage) and the server's (/proc) over each window.
import { Buffer } from 'node:buffer';
import { performance } from 'node:perf_hooks';
import { TextEncoder } from 'node:util';
import { clearInterval, setInterval } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeDataPacket, MessageType, PacketType } from '@pitaya-ts/protocol';
import { machineCpuSeconds, processCpuSeconds, serve } from './ipc.mjs';
import { frameHeaderLength, openMany, wsFrame } from './load-client.mjs';
import { ECHO_ROUTE, JOIN_ROUTE } from './routes.mjs';

const ECHO_BODY = new TextEncoder().encode(JSON.stringify({ text: 'hello, echo' }));
const MAX_SAMPLES = 1 << 22;
const latencies = new Float64Array(MAX_SAMPLES);
const RESPONSE_FLAG = MessageType.Response << 1;
const PUSH_FLAG = MessageType.Push << 1;

/** A request frame; its message id is one byte at `idOffset` (ids cycle through 1..127). */
function requestFrame(route, body) {
  const packet = encodeDataPacket({ type: MessageType.Request, id: 1, route, body, error: false });
  return { frame: wsFrame(packet), idOffset: frameHeaderLength(packet.length) + 4 + 1 };
}

/**
 * CPU use from now to when the returned function is called, in % of one core: this process's,
 * the server's, and the rest of the machine's (other processes competing for the two cores).
 */
function cpuMeter(serverPid) {
  const load0 = process.cpuUsage();
  const server0 = processCpuSeconds(serverPid);
  const machine0 = machineCpuSeconds();
  const t0 = performance.now();
  return () => {
    const seconds = (performance.now() - t0) / 1000;
    const { user, system } = process.cpuUsage(load0);
    const load = (user + system) / 1e6;
    const server = processCpuSeconds(serverPid) - server0;
    const others = Math.max(0, machineCpuSeconds() - machine0 - load - server);
    const percent = (cpuSeconds) => (cpuSeconds / seconds) * 100;
    return { seconds, loadCpu: percent(load), serverCpu: percent(server), otherCpu: percent(others) };
  };
}

const percentile = (sorted, q) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN;

let conns = []; // the open connections, kept between commands
function closeAll() {
  for (const conn of conns) conn.close();
  conns = [];
}

/** Every client sends a request, waits for its response, sends the next; measured after a warm-up. */
async function echo({ port, serverPid, clients, warmupMs, durationMs }) {
  conns = await openMany(port, clients);
  const { frame, idOffset } = requestFrame(ECHO_ROUTE, ECHO_BODY);
  let phase = 'warmup';
  let completed = 0;
  let errors = 0;
  let inFlight = 0;
  let drained = () => {};
  const send = (client, now) => {
    client.id = client.id === 127 ? 1 : client.id + 1;
    // the previous request was answered, so it was written: its buffer can be reused
    client.frame[idOffset] = client.id;
    client.sentAt = now;
    inFlight++;
    client.conn.write(client.frame);
  };
  for (const conn of conns) {
    const client = { conn, frame: Buffer.from(frame), id: 0, sentAt: 0 };
    conn.onPacket = (type, bytes, start) => {
      if (type !== PacketType.Data) return; // heartbeats
      inFlight--;
      if (bytes[start] !== RESPONSE_FLAG || bytes[start + 1] !== client.id) errors++;
      const now = performance.now();
      if (phase === 'measure') latencies[completed++ & (MAX_SAMPLES - 1)] = now - client.sentAt;
      if (phase !== 'stop') send(client, now);
      else if (inFlight === 0) drained();
    };
    conn.onClose = () => {
      if (phase !== 'stop') errors++;
    };
    send(client, performance.now());
  }
  await sleep(warmupMs);
  phase = 'measure';
  const meter = cpuMeter(serverPid);
  await sleep(durationMs);
  const cpu = meter();
  phase = 'stop';
  if (inFlight > 0) await Promise.race([new Promise((resolve) => (drained = resolve)), sleep(5000)]);
  closeAll();
  const sorted = latencies.subarray(0, Math.min(completed, MAX_SAMPLES)).sort();
  return {
    clients,
    requests: completed,
    rps: completed / cpu.seconds,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    errors,
    ...cpu,
  };
}

/** Opens `clients` connections and joins each to the server's group. */
async function join({ port, clients }) {
  conns = await openMany(port, clients);
  const { frame } = requestFrame(JOIN_ROUTE, new Uint8Array(0));
  const joined = conns.map(
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
  return conns.length;
}

let pushes; // the broadcast being received: armed, then awaited

/** Starts counting pushes at every connection (before the server is told to broadcast). */
function armPushes({ serverPid, perClient }) {
  const expected = perClient * conns.length;
  const state = { expected, received: 0, started: performance.now(), last: 0, meter: cpuMeter(serverPid) };
  state.done = new Promise((resolve) => (state.finish = resolve));
  for (const conn of conns) {
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
  closeAll();
  // up to the last arrival: a wait for pushes that never came does not count
  const seconds = (state.last - state.started) / 1000;
  return { expected: state.expected, received: state.received, pushesPerSecond: state.received / seconds, ...cpu };
}

/** Opens `count` handshaken connections and leaves them idle. */
async function openIdle({ port, count }) {
  conns = await openMany(port, count);
  return conns.length;
}

serve({ echo, join, armPushes, awaitPushes, openIdle, closeAll });
