import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

const SRC = path.resolve(__dirname, '../src');
/** The package's entries (`.` and `./provider`): they re-export the layers, and nothing inside imports them. */
const ENTRIES = new Set(['index.ts', 'provider.ts'].map((file) => path.join(SRC, file)));

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(file);
    return entry.name.endsWith('.ts') ? [file] : [];
  });
}

/** The folder of a file under src, `.` for the files at its root. */
const folderOf = (file: string) => path.relative(SRC, path.dirname(file)) || '.';

/** Folder → the folders its files import (type-only imports included: they couple layers too). */
function folderGraph(): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of sourceFiles(SRC)) {
    const from = folderOf(file);
    const edges = graph.get(from) ?? new Map<string, string>();
    graph.set(from, edges);
    for (const { fileName } of ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true).importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const target = path.resolve(path.dirname(file), fileName);
      if (ENTRIES.has(`${target}.ts`) || target === SRC) throw new Error(`${file} imports an entry`);
      const to = folderOf(`${target}.ts`);
      if (!ENTRIES.has(file) && to !== from && !edges.has(to))
        edges.set(to, `${path.relative(SRC, file)} → ${fileName}`);
    }
  }
  return graph;
}

/** A cycle of the graph as its edges (with the import that makes each), or undefined. */
function findCycle(graph: Map<string, Map<string, string>>): string[] | undefined {
  const done = new Set<string>();
  const stack: string[] = [];
  const visit = (folder: string): string[] | undefined => {
    const at = stack.indexOf(folder);
    if (at >= 0) {
      const loop = [...stack.slice(at), folder];
      return loop.slice(1).map((to, i) => `${loop[i]} → ${to} (${graph.get(loop[i]!)!.get(to)})`);
    }
    if (done.has(folder)) return undefined;
    stack.push(folder);
    for (const to of graph.get(folder)?.keys() ?? []) {
      const cycle = visit(to);
      if (cycle) return cycle;
    }
    stack.pop();
    done.add(folder);
    return undefined;
  };
  for (const folder of graph.keys()) {
    const cycle = visit(folder);
    if (cycle) return cycle;
  }
  return undefined;
}

describe("core's layers", () => {
  const graph = folderGraph();

  it('import each other one way: the folder graph of src has no cycle', () => {
    expect(findCycle(graph)).toBeUndefined();
  });

  it("read top-down along a client message's path: agent → dispatch → handler → serialize", () => {
    const layers = ['agent', 'dispatch', 'handler', 'serialize'];
    const upward: string[] = [];
    layers.forEach((folder, i) => {
      for (const [to, where] of graph.get(folder) ?? []) {
        if (layers.includes(to) && layers.indexOf(to) < i) upward.push(`${folder} → ${to} (${where})`);
      }
    });
    // the acceptors know nothing of what runs above them: agents use the connection contract they define
    for (const [to, where] of graph.get('net') ?? []) if (layers.includes(to)) upward.push(`net → ${to} (${where})`);
    expect(upward).toEqual([]);
  });

  it("leaves the cluster's messages out of the serializers clients use", () => {
    expect([...(graph.get('serialize')?.keys() ?? [])]).not.toContain('wire');
  });

  it('finds a cycle when there is one (the check itself works)', () => {
    const looped = new Map([
      ['a', new Map([['b', 'a/x.ts → ../b/y']])],
      ['b', new Map([['a', 'b/y.ts → ../a/x']])],
    ]);
    expect(findCycle(looped)).toEqual(['a → b (a/x.ts → ../b/y)', 'b → a (b/y.ts → ../a/x)']);
  });
});
