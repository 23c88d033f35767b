// Summarises a V8 CPU profile (BENCH_PROFILE=<dir> npm run bench writes them): where the busy
// time went, by function, self and inclusive, idle time left out; with --components, by part of
// the request's path (decoder, agent, dispatcher, JSON, ... syscalls), in µs per request when the
// bench's server CPU per request is given (--us), and a flame summary: the call tree down to the
// frames that take at least 2% of the busy time.
// Usage: node bench/profile.mjs <file.cpuprofile> [rows] [--components [--us <µs per request>]]
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const [file, rows = 30] = args.filter((arg, i) => !arg.startsWith('--') && args[i - 1] !== '--us');
if (!file) {
  console.error('usage: node bench/profile.mjs <file.cpuprofile> [rows] [--components [--us <µs per request>]]');
  process.exit(2);
}
const { nodes, samples } = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(nodes.map((node) => [node.id, node]));
const parent = new Map();
for (const node of nodes) for (const child of node.children ?? []) parent.set(child, node.id);

const label = ({ callFrame: { functionName, url, lineNumber } }) =>
  `${functionName || '(anonymous)'} ${url.replace(/^.*\/(node_modules|packages|bench)\//, '$1/')}:${lineNumber + 1}`;
const idle = new Set(['(idle)', '(program)']);
const percent = (count, total) => `${((100 * count) / total).toFixed(1).padStart(6)}%`;

function byFunction() {
  const busy = samples.filter((id) => !idle.has(byId.get(id).callFrame.functionName));
  const self = new Map();
  const inclusive = new Map();
  for (const id of busy) {
    const own = label(byId.get(id));
    self.set(own, (self.get(own) ?? 0) + 1);
    const seen = new Set(); // a recursive function counts once per sample
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const name = label(byId.get(at));
      if (!seen.has(name)) inclusive.set(name, (inclusive.get(name) ?? 0) + 1);
      seen.add(name);
    }
  }
  const table = (counts) =>
    [...counts]
      .sort((a, b) => b[1] - a[1])
      .slice(0, Number(rows))
      .map(([name, count]) => `${percent(count, busy.length)}  ${name}`)
      .join('\n');
  console.log(
    `${busy.length} busy samples of ${samples.length}\n\nself\n${table(self)}\n\ninclusive\n${table(inclusive)}`,
  );
}

// Parts of the path, by the frame a sample's time is spent in: the first rule matching a frame's
// function name and file, from the sample's own frame up to the root. Frames of V8 builtins (no
// file: JSON.parse, TextDecoder...) and of Node's streams and events count for the code that
// called them (Node's write path under the coalescer is the coalescer's), except the socket
// writes, which are the write system calls; what no code of the path called (socket reads, the
// event loop) is Node's.
const SETUP = 'startup and connections (modules, accepts, upgrades)';
const RULES = [
  [/^\(garbage collector\)$/, '', 'garbage collector'],
  [/^\(program\)$/, '', 'native, outside JavaScript (libuv: epoll, read; V8)'],
  [/^(writeBuffer|writev|writeUtf8String|writeLatin1String)$/, '^$', 'syscalls: socket writes'],
  [/./, 'node:internal/modules|node:internal/main', SETUP],
  [/^(completeUpgrade|handleUpgrade|onconnection)$/, '.', SETUP],
  [/./, 'packet-stream-decoder|protocol/dist/packet\\.js', 'decoder (packets)'],
  [/^decode/, 'protocol/dist/', 'decoder (messages)'],
  [/./, 'protocol/dist/', 'encoder (messages, packets)'],
  [/^(marshal|unmarshal|marshalError|nestsDeeper)$/, 'serialize/', 'JSON (parse, stringify, depth scan)'],
  [/./, 'serialize/', 'serializer (UTF-8 in and out)'],
  [/./, 'net/write-coalescer', "coalescer (uncork: Node's write path)"],
  [/./, 'core/dist/net/', 'acceptor (connection)'],
  [/./, 'core/dist/agent/', 'agent'],
  [/./, 'core/dist/(dispatch|routing|pipeline|session)/', 'dispatcher (route, handler, session)'],
  [/./, 'core/dist/', 'core, other'],
  [/./, 'ws/lib/receiver', 'ws: frames in (receiver)'],
  [/./, 'ws/lib/sender', 'ws: frames out (sender)'],
  [/./, 'ws/lib/', 'ws, other'],
  [/./, 'bench/', 'bench server'],
];
const NODE = 'Node: socket reads, events, timers, promise jobs';
const rules = RULES.map(([name, url, part]) => ({ name, url: new RegExp(url), part }));

/** The part of the path a sample's time goes to; setup when any frame above it is setup's. */
function componentOf(id) {
  let part;
  for (let at = id; at !== undefined; at = parent.get(at)) {
    const { functionName, url } = byId.get(at).callFrame;
    const rule = rules.find((r) => r.name.test(functionName) && r.url.test(url));
    if (rule?.part === SETUP) return SETUP;
    part ??= rule?.part;
  }
  return part ?? NODE;
}

function byComponent() {
  const counts = new Map();
  for (const id of samples) {
    if (byId.get(id).callFrame.functionName === '(idle)') continue;
    const part = componentOf(id);
    counts.set(part, (counts.get(part) ?? 0) + 1);
  }
  const setup = counts.get(SETUP) ?? 0;
  counts.delete(SETUP);
  const busy = [...counts.values()].reduce((total, n) => total + n, 0);
  const us = Number(option('--us'));
  console.log(
    `${busy} busy samples while serving (${setup} more in ${SETUP}, left out)` +
      `${us ? `; µs per request from the bench's server CPU, ${us} µs` : ''}\n`,
  );
  for (const [part, count] of [...counts].sort((a, b) => b[1] - a[1])) {
    const share = us ? `  ${((us * count) / busy).toFixed(1).padStart(5)} µs` : '';
    console.log(`${percent(count, busy)}${share}  ${part}`);
  }
  flame(busy);
}

/** The call tree (top down), frames under 2% of the busy time and setup left out. */
function flame(busy) {
  const total = new Map();
  for (const id of samples) {
    if (idle.has(byId.get(id).callFrame.functionName) || componentOf(id) === SETUP) continue;
    for (let at = id; at !== undefined; at = parent.get(at)) total.set(at, (total.get(at) ?? 0) + 1);
  }
  console.log('\nflame summary (inclusive % of the busy time while serving, callers above callees)');
  const walk = (id, depth) => {
    const count = total.get(id) ?? 0;
    if (count < 0.02 * busy || depth > 40) return;
    // one-child chains of Node's stream plumbing print as one line
    let at = id;
    const chain = [label(byId.get(at))];
    for (;;) {
      const kids = (byId.get(at).children ?? []).filter((kid) => (total.get(kid) ?? 0) >= 0.02 * busy);
      if (kids.length !== 1 || total.get(kids[0]) !== count) break;
      at = kids[0];
      chain.push(label(byId.get(at)));
    }
    const shown = chain.length > 3 ? [chain[0], `… ${chain.length - 2} more …`, chain.at(-1)] : chain;
    console.log(`${percent(count, busy)}  ${'  '.repeat(depth)}${shown.join(' > ')}`);
    const kids = [...(byId.get(at).children ?? [])].sort((a, b) => (total.get(b) ?? 0) - (total.get(a) ?? 0));
    for (const kid of kids) walk(kid, depth + 1);
  };
  for (const root of nodes.filter((node) => !parent.has(node.id))) {
    for (const kid of root.children ?? []) walk(kid, 0);
  }
}

if (flag('--components')) byComponent();
else byFunction();
