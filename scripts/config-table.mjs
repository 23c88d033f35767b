#!/usr/bin/env node
// Prints README's configuration table from the schema (the one source of truth): run after a build.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { CONFIG_SCHEMA, formatDuration } = require('../packages/core/dist/index.js');

const show = (spec) => {
  const value = spec.default;
  if (spec.kind === 'duration') return formatDuration(value);
  if (Array.isArray(value)) return value.join(',');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
};
const cell = (text) => (text === '' ? '(empty)' : `\`${text}\``);

console.log('| key | default | |');
console.log('|---|---|---|');
for (const [key, spec] of Object.entries(CONFIG_SCHEMA)) {
  console.log(`| \`${key}\` | ${cell(show(spec))} | ${spec.doc.replace(/\|/g, '\\|')} |`);
}
