import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface LockedPackage {
  optionalDependencies?: Record<string, string>;
}

const root = join(__dirname, '..', '..');
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, LockedPackage>;
};

/** Where npm would find `name` from the package at `path`: its own node_modules, then each parent's. */
function resolve(path: string, name: string): string | undefined {
  for (let dir = path; ; dir = dir.slice(0, Math.max(0, dir.lastIndexOf('/node_modules/')))) {
    const candidate = dir ? `${dir}/node_modules/${name}` : `node_modules/${name}`;
    if (lock.packages[candidate]) return candidate;
    if (!dir) return undefined;
  }
}

describe('package-lock.json', () => {
  // npm ci refuses a lock that lacks an optional dependency, even one built for another platform
  // (`Missing: @swc/core-darwin-arm64 from lock file`): every platform's build must be listed
  it('lists every optional dependency of every locked package, whatever its platform', () => {
    const missing: string[] = [];
    for (const [path, pkg] of Object.entries(lock.packages)) {
      for (const name of Object.keys(pkg.optionalDependencies ?? {})) {
        if (!resolve(path, name)) missing.push(`${name} (for ${path || 'the root'})`);
      }
    }
    expect(missing).toEqual([]);
  });
});
