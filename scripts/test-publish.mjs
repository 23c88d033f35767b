#!/usr/bin/env node
// `npm run test:publish`: every package published to a local registry (verdaccio), then installed
// from it as a user would, and projects made by `npm create pitaya-ts` tested and started. Slow
// (installs), so not part of `npm test`. verdaccio is installed on demand in scripts/publish-tools,
// outside the workspace, so that `npm install` of the repository stays fast.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tools = join(root, 'scripts', 'publish-tools');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(command, args, cwd = root) {
  const { status, signal } = spawnSync(command, args, { cwd, stdio: 'inherit', shell: process.platform === 'win32' });
  if (status !== 0) process.exit(status ?? (signal ? 1 : 0));
}

if (!existsSync(join(tools, 'node_modules', 'verdaccio'))) run(npm, ['ci', '--no-audit', '--no-fund'], tools);
run(join(root, 'node_modules', '.bin', 'tsc'), ['-b', 'tsconfig.build.json']);
// the registry tests are left out of the default run by jest.config.ts: this names them alone
run(join(root, 'node_modules', '.bin', 'jest'), [
  '--testPathIgnorePatterns',
  '/node_modules/',
  '--runInBand',
  '--testTimeout',
  String(30 * 60_000),
  'test/publish',
  ...process.argv.slice(2),
]);
