import * as fs from 'node:fs';
import * as path from 'node:path';
import { TOKENS } from '@pitaya-ts/core';

// README's Providers section is a provider author's reference: every token, and no stale one.
const readme = fs.readFileSync(path.resolve(__dirname, '../../../README.md'), 'utf8');
const section = readme.slice(readme.indexOf('\n## Providers\n'), readme.indexOf('\n## Configuration\n'));
const documented = new Set([...section.matchAll(/^\|\s*`TOKENS\.(\w+)`\s*\|/gm)].map((m) => m[1]!));

describe("README's Providers section", () => {
  it.each(Object.keys(TOKENS))('documents TOKENS.%s', (name) => {
    expect(documented).toContain(name);
  });

  it('documents no token that does not exist', () => {
    expect([...documented].filter((name) => !(name in TOKENS))).toEqual([]);
  });

  it('names the capability flags', () => {
    expect(section).toContain('`RpcClient.clustered`');
    expect(section).toContain('`MetricsReporter.enabled`');
  });
});
