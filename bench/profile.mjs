// Summarises a V8 CPU profile (BENCH_PROFILE=<dir> npm run bench writes them): where the busy
// time went, by function, self and inclusive, idle time left out.
// Usage: node bench/profile.mjs <file.cpuprofile> [rows]
import { readFileSync } from 'node:fs';

const [file, rows = 30] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/profile.mjs <file.cpuprofile> [rows]');
  process.exit(2);
}
const { nodes, samples } = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(nodes.map((node) => [node.id, node]));
const parent = new Map();
for (const node of nodes) for (const child of node.children ?? []) parent.set(child, node.id);

const label = ({ callFrame: { functionName, url, lineNumber } }) =>
  `${functionName || '(anonymous)'} ${url.replace(/^.*\/(node_modules|packages|bench)\//, '$1/')}:${lineNumber + 1}`;
const idle = new Set(['(idle)', '(program)']);
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
    .map(([name, count]) => `${((100 * count) / busy.length).toFixed(1).padStart(6)}%  ${name}`)
    .join('\n');
console.log(
  `${busy.length} busy samples of ${samples.length}\n\nself\n${table(self)}\n\ninclusive\n${table(inclusive)}`,
);
