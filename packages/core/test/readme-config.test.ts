import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONFIG_SCHEMA, formatDuration } from '@pitaya-ts/core';

// README's configuration table must list every key with its default: it is the users' reference.
const readme = fs.readFileSync(path.resolve(__dirname, '../../../README.md'), 'utf8');
const rows = new Map(
  readme
    .split('\n')
    .map((line) => /^\|\s*`(pitaya\.[^`]+)`\s*\|\s*([^|]*?)\s*\|/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1]!, m[2]!]),
);

describe('README configuration table', () => {
  it.each(Object.entries(CONFIG_SCHEMA))('documents %s with its default', (key, spec) => {
    const value: unknown = spec.default;
    const shown =
      spec.kind === 'duration'
        ? formatDuration(value as number)
        : Array.isArray(value)
          ? value.join(',')
          : typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
            ? String(value)
            : JSON.stringify(value);
    expect(rows.get(key)).toBe(shown === '' ? '(empty)' : `\`${shown}\``);
  });

  it('documents no key the schema does not have', () => {
    expect([...rows.keys()].filter((key) => !(key in CONFIG_SCHEMA))).toEqual([]);
  });
});
