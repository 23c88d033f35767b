import { isDeepStrictEqual } from 'node:util';
import { getPath } from './template';

type Check = (actual: unknown, operand: unknown) => boolean;

const typeOf = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);

const OPERATORS: Record<string, Check> = {
  $exists: (actual, operand) => (actual !== undefined) === Boolean(operand),
  $contains: (actual, operand) =>
    Array.isArray(actual)
      ? actual.some((item) => isDeepStrictEqual(item, operand))
      : typeof actual === 'string' && actual.includes(String(operand)),
  $regex: (actual, operand) => typeof actual === 'string' && new RegExp(String(operand)).test(actual),
  $type: (actual, operand) => typeOf(actual) === operand,
  $gte: (actual, operand) => typeof actual === 'number' && actual >= Number(operand),
  $lte: (actual, operand) => typeof actual === 'number' && actual <= Number(operand),
  $length: (actual, operand) =>
    (Array.isArray(actual) || typeof actual === 'string') && actual.length === Number(operand),
};

export const OPERATOR_NAMES = Object.keys(OPERATORS);

const show = (value: unknown) => (value === undefined ? 'nothing' : JSON.stringify(value));

function operatorOf(expected: unknown): [Check, string, unknown] | undefined {
  if (expected === null || typeof expected !== 'object' || Array.isArray(expected)) return undefined;
  const entries: [string, unknown][] = Object.entries(expected);
  const [entry] = entries;
  if (entries.length !== 1 || entry === undefined) return undefined;
  const [name, operand] = entry;
  const check = OPERATORS[name];
  return check ? [check, name, operand] : undefined;
}

/**
 * What in `actual` does not meet the expectations (dot path → literal or operator), one sentence
 * each; empty when everything does. The expectations are rendered already (no `${name}` left).
 */
export function mismatches(actual: unknown, expectations: Record<string, unknown>): string[] {
  const found: string[] = [];
  for (const [path, expected] of Object.entries(expectations)) {
    const value = getPath(actual, path);
    const where = path === '' ? 'the body' : path;
    const operator = operatorOf(expected);
    if (operator) {
      const [check, name, operand] = operator;
      if (!check(value, operand)) found.push(`${where}: expected ${name} ${show(operand)}, got ${show(value)}`);
    } else if (!isDeepStrictEqual(value, expected)) {
      found.push(`${where}: expected ${show(expected)}, got ${show(value)}`);
    }
  }
  return found;
}
