import { parseDuration } from './duration';
import type { Plan, PlannedStep } from './plan';

/** A scenario that cannot run, with where and why. */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
}

type Obj = Record<string, unknown>;

const TOP_KEYS = ['name', 'url', 'handshake', 'bots', 'rampUp', 'iterations', 'duration', 'timeout', 'setup', 'steps'];
const STEP_KEYS: Record<string, string[]> = {
  request: ['request', 'body', 'expect', 'expectError', 'store', 'timeout'],
  notify: ['notify', 'body'],
  waitPush: ['waitPush', 'match', 'store', 'timeout'],
  sleep: ['sleep'],
  loop: ['loop', 'steps'],
};
const KINDS = Object.keys(STEP_KEYS);

const isObject = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Checks a scenario read from `source` and normalizes it; every mistake names its place. */
export function planScenario(value: unknown, source: string): Plan {
  const fail = (where: string, what: string): never => {
    throw new ScenarioError(`${source}: ${where}: ${what}`);
  };
  if (!isObject(value)) return fail('the scenario', 'expected an object with steps');
  const unknown = Object.keys(value).filter((key) => !TOP_KEYS.includes(key));
  const [firstUnknown] = unknown;
  if (firstUnknown !== undefined) fail(firstUnknown, `unknown key (a scenario has ${TOP_KEYS.join(', ')})`);

  const count = (key: string, fallback: number): number => {
    const n = value[key] ?? fallback;
    if (!Number.isInteger(n) || (n as number) < 1)
      fail(key, `expected a whole number of at least 1, got ${JSON.stringify(n)}`);
    return n as number;
  };
  const duration = (key: string, at: string, raw: unknown): number => {
    const ms = parseDuration(raw);
    return ms ?? fail(at, `${key} expects a duration such as 500ms, 2s or 1m, got ${String(raw)}`);
  };
  const optionalDuration = (obj: Obj, key: string, at: string) =>
    obj[key] === undefined ? undefined : duration(key, at, obj[key]);
  const stringMap = (raw: unknown, at: string, key: string): Record<string, string> | undefined => {
    if (raw === undefined) return undefined;
    if (!isObject(raw) || Object.values(raw).some((v) => typeof v !== 'string'))
      fail(at, `${key} expects names mapped to dot paths, such as {room: room.name}`);
    return raw as Record<string, string>;
  };
  const expectations = (raw: unknown, at: string, key: string): Obj | undefined => {
    if (raw === undefined) return undefined;
    return isObject(raw) ? raw : fail(at, `${key} expects dot paths mapped to values`);
  };
  const route = (raw: unknown, at: string, kind: string): string =>
    typeof raw === 'string' && raw !== '' ? raw : fail(at, `${kind} expects a route`);

  const steps = (raw: unknown, at: string): PlannedStep[] => {
    if (!Array.isArray(raw)) return fail(at, 'expected a list of steps');
    return raw.map((step, i) => plannedStep(step, `${at}[${i}]`));
  };
  const plannedStep = (raw: unknown, at: string): PlannedStep => {
    if (!isObject(raw)) return fail(at, `expected a step: one of ${KINDS.join(', ')}`);
    const kinds = KINDS.filter((kind) => kind in raw);
    const [kind] = kinds;
    const allowed = kind === undefined ? undefined : STEP_KEYS[kind];
    if (kinds.length !== 1 || kind === undefined || !allowed) {
      return fail(at, `a step has exactly one of ${KINDS.join(', ')}`);
    }
    const extra = Object.keys(raw).find((key) => !allowed.includes(key));
    if (extra) fail(at, `unknown key ${extra} (a ${kind} step takes ${allowed.join(', ')})`);
    switch (kind) {
      case 'request': {
        const r = route(raw.request, at, kind);
        if (raw.expectError !== undefined && typeof raw.expectError !== 'string')
          fail(at, 'expectError expects an error code such as PIT-400');
        return {
          kind,
          label: `${at} request ${r}`,
          route: r,
          body: raw.body,
          expect: expectations(raw.expect, at, 'expect'),
          expectError: raw.expectError as string | undefined,
          store: stringMap(raw.store, at, 'store'),
          timeoutMs: optionalDuration(raw, 'timeout', at),
        };
      }
      case 'notify': {
        const r = route(raw.notify, at, kind);
        return { kind, label: `${at} notify ${r}`, route: r, body: raw.body };
      }
      case 'waitPush': {
        const r = route(raw.waitPush, at, kind);
        return {
          kind,
          label: `${at} waitPush ${r}`,
          route: r,
          match: expectations(raw.match, at, 'match'),
          store: stringMap(raw.store, at, 'store'),
          timeoutMs: optionalDuration(raw, 'timeout', at),
        };
      }
      case 'sleep':
        return { kind, label: `${at} sleep`, ms: duration('sleep', at, raw.sleep) };
      default: {
        if (!Number.isInteger(raw.loop) || (raw.loop as number) < 1) fail(at, 'loop expects a whole number of turns');
        return { kind: 'loop', label: `${at} loop`, times: raw.loop as number, steps: steps(raw.steps, `${at}.steps`) };
      }
    }
  };

  if (value.url !== undefined && typeof value.url !== 'string') fail('url', 'expected a URL such as ws://host:port');
  if (value.name !== undefined && typeof value.name !== 'string') fail('name', 'expected a string');
  const handshake = value.handshake ?? {};
  if (!isObject(handshake) || Object.entries(handshake).some(([k, v]) => !['sys', 'user'].includes(k) || !isObject(v)))
    fail('handshake', 'expected {sys: {...}, user: {...}} (either may be left out)');
  const durationMs = optionalDuration(value, 'duration', 'duration');
  const plan: Plan = {
    name: (value.name as string | undefined) ?? source,
    url: value.url as string | undefined,
    handshake: handshake,
    bots: count('bots', 1),
    rampUpMs: optionalDuration(value, 'rampUp', 'rampUp') ?? 0,
    iterations: value.iterations === undefined && durationMs !== undefined ? Infinity : count('iterations', 1),
    durationMs,
    timeoutMs: optionalDuration(value, 'timeout', 'timeout') ?? 5000,
    setup: value.setup === undefined ? [] : steps(value.setup, 'setup'),
    steps: steps(value.steps, 'steps'),
  };
  if (plan.steps.length === 0) fail('steps', 'a scenario needs at least one step');
  return plan;
}
