import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatDuration } from '@pitaya-ts/core';
import { WORKER_CONFIG_SCHEMA } from '@pitaya-ts/worker';

// README's reliable RPC section lists every key of the package with its default: the users' reference
const readme = fs.readFileSync(path.resolve(__dirname, '../../../README.md'), 'utf8');

describe("README's reliable RPC keys", () => {
  it.each(Object.entries(WORKER_CONFIG_SCHEMA))('documents %s with its default and doc', (key, spec) => {
    const value = spec.kind === 'duration' ? formatDuration(spec.default as number) : String(spec.default);
    expect(readme).toContain(`- \`${key}\` (${value === '' ? '(empty)' : `\`${value}\``}): ${spec.doc}\n`);
  });
});
