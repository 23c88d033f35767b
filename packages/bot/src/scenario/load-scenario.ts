import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { errorMessage } from '@pitaya-ts/client';
import { parse as parseYaml } from 'yaml';
import type { Plan } from './plan';
import { planScenario, ScenarioError } from './plan-scenario';

const TYPESCRIPT = new Set(['.ts', '.mts', '.cts']);
const JAVASCRIPT = new Set(['.js', '.mjs', '.cjs']);

/** What a module exports: `export default`, `export const scenario`, or `module.exports`. */
function exported(module: Record<string, unknown>): unknown {
  let value: unknown = module;
  // a CommonJS module seen through import() is its namespace's default, possibly holding its own default
  for (let depth = 0; depth < 2 && typeof value === 'object' && value !== null; depth++) {
    const obj = value as Record<string, unknown>;
    if ('steps' in obj) return obj;
    value = obj.default ?? obj.scenario;
  }
  return value;
}

/**
 * Reads a scenario: YAML (`.yaml`, `.yml`), JSON, a JavaScript module, or a TypeScript module
 * (run through tsx, which needs no tsconfig and no TypeScript install). Returns it unchecked.
 */
export async function readScenario(file: string): Promise<unknown> {
  const absolute = path.resolve(file);
  const extension = path.extname(absolute).toLowerCase();
  if (!fs.existsSync(absolute)) throw new ScenarioError(`${file}: no such file`);
  try {
    if (TYPESCRIPT.has(extension)) {
      const { tsImport } = await import('tsx/esm/api');
      return exported((await tsImport(pathToFileURL(absolute).href, __filename)) as Record<string, unknown>);
    }
    if (JAVASCRIPT.has(extension)) {
      return exported((await import(pathToFileURL(absolute).href)) as Record<string, unknown>);
    }
    return parseYaml(fs.readFileSync(absolute, 'utf8'));
  } catch (err) {
    if (err instanceof ScenarioError) throw err;
    throw new ScenarioError(`${file}: ${errorMessage(err)}`, { cause: err });
  }
}

/** Reads and checks a scenario file: the plan `runScenario` takes. */
export async function loadScenario(file: string): Promise<Plan> {
  return planScenario(await readScenario(file), file);
}
