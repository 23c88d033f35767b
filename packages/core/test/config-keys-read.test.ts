import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONFIG_SCHEMA } from '@pitaya-ts/core';

// A key nothing reads is a promise the server does not keep: setting it changes nothing, silently.
// Every key of the schema is read, `config.get('<key>')` or a reader's `get('<key>')`, by the packages' code outside the schema.
const packages = path.resolve(__dirname, '../..');
const schemaDir = path.join(packages, 'core', 'src', 'config');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return full === schemaDir ? [] : sources(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

const read = new Set(
  fs
    .readdirSync(packages)
    .map((name) => path.join(packages, name, 'src'))
    .filter((dir) => fs.existsSync(dir))
    .flatMap(sources)
    .flatMap((file) => [...fs.readFileSync(file, 'utf8').matchAll(/\bget\('([^']+)'\)/g)].map((match) => match[1])),
);

describe('configuration keys', () => {
  it('are each read by the code', () => {
    expect(Object.keys(CONFIG_SCHEMA).filter((key) => !read.has(key))).toEqual([]);
  });
});
