import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Manifest {
  name: string;
  private?: boolean;
  license?: string;
  engines?: { node?: string };
  repository?: { url?: string; directory?: string };
  main?: string;
  types?: string;
  bin?: Record<string, string>;
  exports?: Record<string, string | Record<string, string>>;
  files?: string[];
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const root = join(__dirname, '..', '..');
const dirs = readdirSync(join(root, 'packages')).map((dir) => join('packages', dir));
const manifest = (dir: string) => JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as Manifest;
const packages = dirs.map((dir) => ({ dir, pkg: manifest(dir) }));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

describe('every package under packages/ can be published', () => {
  it.each(packages)('$dir declares what a registry and its users need', ({ dir, pkg }) => {
    expect(pkg.private).toBeUndefined();
    expect(pkg.license).toBe('MIT');
    expect(pkg.engines?.node).toBe('>=20.19.0');
    expect(pkg.repository).toMatchObject({ url: expect.stringMatching(/^git\+https:/), directory: dir });
    expect(existsSync(join(root, dir, 'README.md'))).toBe(true);
    expect(readFileSync(join(root, dir, 'LICENSE'), 'utf8')).toBe(readFileSync(join(root, 'LICENSE'), 'utf8'));
    // a library: types, then CommonJS for require and for import (Node's interop, tested below)
    if (pkg.main) {
      const main = `./${pkg.main}`;
      expect(pkg.exports?.['.']).toMatchObject({ types: `./${pkg.types}`, require: main, import: main });
    }
  });

  // an application has one copy of core, whose container the providers bind into
  const takingCore = packages.filter(
    ({ pkg }) => pkg.peerDependencies !== undefined || pkg.dependencies?.['@pitaya-ts/core'] !== undefined,
  );
  it.each(takingCore)('$dir takes @pitaya-ts/core as a peer dependency', ({ pkg }) => {
    expect(pkg.dependencies?.['@pitaya-ts/core']).toBeUndefined();
    expect(pkg.peerDependencies?.['@pitaya-ts/core']).toBeDefined();
    expect(pkg.devDependencies?.['@pitaya-ts/core']).toBe(pkg.peerDependencies?.['@pitaya-ts/core']);
  });

  it('packs every file its manifest points to, its README and LICENSE, and no build state', () => {
    const packed = JSON.parse(
      execFileSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts', ...dirs.flatMap((d) => ['-w', d])], {
        cwd: root,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }),
    ) as { name: string; files: { path: string }[] }[];
    const problems: string[] = [];
    for (const { dir, pkg } of packages) {
      const files = new Set(packed.find((p) => p.name === pkg.name)?.files.map((f) => f.path));
      const entries = [pkg.main, pkg.types, ...Object.values(pkg.bin ?? {})];
      for (const target of Object.values(pkg.exports ?? {}))
        entries.push(...(typeof target === 'string' ? [target] : Object.values(target)));
      for (const entry of ['README.md', 'LICENSE', ...entries]) {
        const path = entry?.replace(/^\.\//, '');
        if (path && !files.has(path)) problems.push(`${dir}: ${path} is not packed`);
      }
      for (const file of files) if (file.endsWith('.tsbuildinfo')) problems.push(`${dir}: ${file} is packed`);
    }
    expect(problems).toEqual([]);
  });

  // the packages ship CommonJS: ES module users get every export through Node's interop
  it('gives ES module users every export by name', () => {
    const names = packages.filter(({ pkg }) => pkg.main).map(({ pkg }) => pkg.name);
    const out = execFileSync(process.execPath, [join(__dirname, 'fixtures', 'import-every-package.mjs'), ...names], {
      encoding: 'utf8',
    });
    expect(JSON.parse(out)).toEqual(Object.fromEntries(names.map((name) => [name, []])));
  });
});
