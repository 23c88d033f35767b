// The Node load client with cload's command line and output (bench/cload/README.md), for a machine
// without a C compiler: `node bench/nload.mjs --mode ws|tcp --port N --conns C --inflight K
// [--warmup s] [--duration s] [--route r] [--body json] [--server-pids 1,2]`, then one JSON line.
// It costs more CPU per request than the servers it loads, so on two cores its figures are the
// client's as much as the server's: the bench says which client ran.
import { Buffer } from 'node:buffer';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeDataPacket, MessageType, PacketType } from '@pitaya-ts/protocol';
import { machineCpuSeconds, processCpuSeconds } from './ipc.mjs';
import { openMany, wsFrame } from './load-client.mjs';

const BODY =
  '{"uid":1234567,"name":"player_42","pos":{"x":12.5,"y":-3.25,"z":100},"hp":87,"items":[11,22,33],"ts":1700000000123}';
const RESPONSE_FLAG = MessageType.Response << 1;
const MAX_SAMPLES = 1 << 22;

const options = { mode: 'tcp', port: 0, conns: 1, inflight: 1, warmup: 3, duration: 10, route: '', body: BODY };
for (let i = 2; i + 1 < process.argv.length; i += 2) options[process.argv[i].slice(2)] = process.argv[i + 1];
const tcp = options.mode === 'tcp';
const [conns, inflight] = [Number(options.conns), Number(options.inflight)];
const serverPids = String(options['server-pids'] ?? '')
  .split(',')
  .filter(Boolean)
  .map(Number);
const body = Buffer.from(options.body);

// ids 1..127 fit one varint byte, so one frame per connection is patched in place; with K < 64 in
// flight an id is never reused while its request is unanswered
const packet = encodeDataPacket({ type: MessageType.Request, id: 1, route: options.route, body, error: false });
const template = tcp ? Buffer.from(packet) : wsFrame(packet);
const idOffset = template.length - packet.length + 5;

const state = { measuring: false, stopping: false, sent: 0, received: 0, window: 0, errors: 0, badBody: 0 };
const latencies = new Float64Array(MAX_SAMPLES);
let samples = 0;

const group = await openMany(Number(options.port), conns, { tcp });
const clients = group.map((conn) => {
  const client = { conn, next: 1, sentAt: new Float64Array(128), outstanding: 0 };
  conn.onPacket = (type, bytes, start, end) => {
    if (type !== PacketType.Data || bytes[start] !== RESPONSE_FLAG) return;
    const id = bytes[start + 1];
    const sentAt = client.sentAt[id];
    if (!sentAt) return void state.errors++;
    client.sentAt[id] = 0;
    client.outstanding--;
    // every 1024th body compared byte for byte with the request's, as cload does
    if ((++state.received & 1023) === 1 && Buffer.compare(bytes.subarray(start + 2, end), body) !== 0) state.badBody++;
    if (state.measuring) {
      state.window++;
      latencies[samples++ % MAX_SAMPLES] = performance.now() - sentAt;
    }
    if (!state.stopping) send(client);
  };
  conn.onClose = () => state.errors++;
  return client;
});

function send(client) {
  const id = client.next;
  client.next = id === 127 ? 1 : id + 1;
  // a copy: the socket may still hold the previous request's bytes
  const frame = Buffer.from(template);
  frame[idOffset] = id;
  client.sentAt[id] = performance.now();
  client.outstanding++;
  state.sent++;
  client.conn.write(frame);
}

const cpu = () => ({
  server: serverPids.reduce((total, pid) => total + processCpuSeconds(pid), 0),
  client: process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6,
  machine: machineCpuSeconds(),
  at: performance.now(),
});
for (const client of clients) for (let k = 0; k < inflight; k++) send(client);
await sleep(Number(options.warmup) * 1000);
const receivedAtStart = state.received;
const start = cpu();
state.measuring = true;
await sleep(Number(options.duration) * 1000);
state.measuring = false;
const end = cpu();
state.stopping = true;
const outstanding = () => clients.reduce((total, client) => total + client.outstanding, 0);
for (let waited = 0; outstanding() > 0 && waited < 3000; waited += 10) await sleep(10);

const secs = (end.at - start.at) / 1000;
const sorted = latencies.subarray(0, Math.min(samples, MAX_SAMPLES)).sort();
const us = (q) => Math.round(1000 * (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0));
const per = (key) => (end[key] - start[key]) / secs;
const result = {
  label: '',
  client: 'nload',
  mode: options.mode,
  port: Number(options.port),
  conns,
  inflight,
  route: options.route,
  bodyBytes: body.length,
  secs,
  responses: state.received - receivedAtStart,
  windowResponses: state.window,
  rps: Math.round(state.window / secs),
  lat_us: { p50: us(0.5), p90: us(0.9), p99: us(0.99), p999: us(0.999), max: us(1) },
  cpu: { server: per('server'), client: per('client'), other: per('machine') - per('server') - per('client') },
  errors: state.errors,
  badBody: state.badBody,
  bodiesChecked: Math.ceil(state.received / 1024),
  outstanding: outstanding(),
  sent: state.sent,
};
console.log(JSON.stringify(result));
for (const { conn } of clients) conn.close();
