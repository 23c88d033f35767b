#!/usr/bin/env node
// `npm test`: every test of every package. Installs what the tests run that npm cannot (Debian
// packages), type-checks (type-level tests included), then runs Jest with any arguments given.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDebianPackages } from './lib/debian-packages.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);

function run(command, args, env = process.env) {
  const { status, signal } = spawnSync(command, args, { cwd: root, stdio: 'inherit', env });
  if (status !== 0) process.exit(status ?? (signal ? 1 : 0));
}

let tools;
try {
  tools = ensureDebianPackages([
    { command: 'chromium', pkg: 'chromium' },
    { command: 'nats-server', pkg: 'nats-server' },
    { command: 'etcd', pkg: 'etcd-server' },
    { command: 'redis-server', pkg: 'redis-server' },
    // gives the REPL tests a pseudo-terminal; part of every Debian install, but a slim image may lack it
    { command: 'script', pkg: 'bsdutils' },
  ]);
} catch (err) {
  console.error(err.message);
  process.exit(1);
}

// build (the tests start the built chat server as a child process), then type-check the tests too
run(bin('tsc'), ['-b', 'tsconfig.build.json']);
// the chat demo's page, which a test opens in Chromium
run(process.execPath, [join(root, 'apps/chat/scripts/build-web.mjs')]);
run(bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']);
run(bin('jest'), process.argv.slice(2), { ...process.env, CHROMIUM_PATH: tools.chromium });
