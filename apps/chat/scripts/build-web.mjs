#!/usr/bin/env node
// Builds the chat page into dist/web: index.html, and chat.js bundled with the browser entry of
// @pitaya-ts/client (run after tsc: it bundles the client's dist).
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const app = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(app, 'dist', 'web');
await mkdir(out, { recursive: true });
await build({
  entryPoints: [join(app, 'web', 'chat.ts')],
  outfile: join(out, 'chat.js'),
  bundle: true,
  minify: true,
  platform: 'browser',
  format: 'iife',
  target: 'es2020',
  logLevel: 'warning',
});
await copyFile(join(app, 'web', 'index.html'), join(out, 'index.html'));
