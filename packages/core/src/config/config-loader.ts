import * as fs from 'node:fs';
import * as path from 'node:path';
import { closest, distance } from 'fastest-levenshtein';
import { parse as parseYaml } from 'yaml';
import {
  CONFIG_SCHEMA,
  InvalidValue,
  type ConfigKey,
  type ConfigValue,
  type ConfigValues,
  type KeySpec,
} from './config-schema';

/** A configuration that cannot be used; the message names every bad key and why. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Typed, validated `pitaya.*` configuration, read-only once loaded. */
export class PitayaConfig {
  constructor(
    private readonly values: Readonly<ConfigValues>,
    /** What was ignored while loading (unknown `PITAYA_*` variables), for the server to log. */
    readonly warnings: readonly string[] = [],
  ) {}

  get<K extends ConfigKey>(key: K): ConfigValue<K> {
    return this.values[key];
  }

  /** Every key with its value. */
  toJSON(): Readonly<ConfigValues> {
    return this.values;
  }
}

export interface ConfigSources {
  /** Values from code: nested (`{ pitaya: { heartbeat: { interval: '5s' } } }`) or flat (`{ 'pitaya.heartbeat.interval': '5s' }`). */
  values?: Record<string, unknown>;
  /** A YAML or JSON file in the same shapes. */
  file?: string;
  /** Where `PITAYA_*` variables come from; process.env by default. */
  env?: Record<string, string | undefined>;
}

const KEYS = Object.keys(CONFIG_SCHEMA) as ConfigKey[];
const KEY_SET = new Set<string>(KEYS);
// keys whose value is itself an object: flattening stops there
const OBJECT_KEYS = new Set<string>(KEYS.filter((k) => ['map', 'object', 'list'].includes(CONFIG_SCHEMA[k].kind)));
// keys with keys under them (`pitaya.serializer` and `pitaya.serializer.protobuf.files`): an object there nests
const PARENT_KEYS = new Set<string>(KEYS.filter((k) => KEYS.some((other) => other.startsWith(`${k}.`))));

/** `pitaya.heartbeat.interval` → `PITAYA_HEARTBEAT_INTERVAL` */
export function envName(key: string): string {
  return key.toUpperCase().replace(/\./g, '_');
}
const ENV_KEYS = new Map(KEYS.map((k) => [envName(k), k]));
const ENV_NAMES = [...ENV_KEYS.keys()];

/** Flattens nested objects into dotted keys, stopping at known keys whose values are objects. */
function flatten(
  source: Record<string, unknown>,
  prefix = '',
  out: Record<string, unknown> = {},
): Record<string, unknown> {
  for (const [k, v] of Object.entries(source)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (
      v !== null &&
      typeof v === 'object' &&
      !Array.isArray(v) &&
      !OBJECT_KEYS.has(key) &&
      (!KEY_SET.has(key) || PARENT_KEYS.has(key))
    ) {
      flatten(v as Record<string, unknown>, key, out);
    } else {
      out[key] = v;
    }
  }
  return out;
}

function readFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`);
  }
  try {
    const parsed: unknown = path.extname(file) === '.json' ? JSON.parse(text) : parseYaml(text);
    if (parsed === null || parsed === undefined) return {};
    if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('the top level must be a mapping');
    return parsed as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError(
      `config file ${file} is not valid ${path.extname(file) === '.json' ? 'JSON' : 'YAML'}: ${(err as Error).message}`,
    );
  }
}

/**
 * Builds the configuration: defaults, then the file, then code, then `PITAYA_*` env vars, each
 * overriding the one before. Unknown keys and bad values are all reported in one ConfigError;
 * unknown `PITAYA_*` variables only warn (see `PitayaConfig.warnings`): the environment is shared
 * with others (Kubernetes names a service's variables after it: `PITAYA_SERVICE_HOST`,
 * `PITAYA_PORT_3250_TCP`... for a service `pitaya`), a file or code is the server's own.
 */
export function loadConfig(sources: ConfigSources = {}): PitayaConfig {
  const layers: [string, Record<string, unknown>][] = [];
  if (sources.file) layers.push([`file ${sources.file}`, flatten(readFile(sources.file))]);
  if (sources.values) layers.push(['code', flatten(sources.values)]);
  const env = sources.env ?? process.env;
  const fromEnv: Record<string, unknown> = {};
  const problems: string[] = [];
  const warnings: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('PITAYA_') || value === undefined) continue;
    const key = ENV_KEYS.get(name);
    if (key) fromEnv[key] = value;
    else warnings.push(`env ${name}: no such configuration key, ignored${didYouMean(name, ENV_NAMES)}`);
  }
  layers.push(['env', fromEnv]);

  const values = Object.fromEntries(KEYS.map((k) => [k, CONFIG_SCHEMA[k].default])) as Record<string, unknown>;
  for (const [source, layer] of layers) {
    for (const [key, raw] of Object.entries(layer)) {
      const spec = (CONFIG_SCHEMA as Record<string, KeySpec<unknown>>)[key];
      if (!spec) {
        problems.push(`${source}: unknown key ${key}${didYouMean(key.toLowerCase(), KEYS)}`);
        continue;
      }
      const parsed = spec.parse(raw);
      if (parsed instanceof InvalidValue) {
        problems.push(`${source}: ${key}: ${parsed.reason}`);
      } else {
        values[key] = parsed;
      }
    }
  }
  if (problems.length > 0) throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  return new PitayaConfig(Object.freeze(values) as unknown as ConfigValues, Object.freeze(warnings));
}

/**
 * " (did you mean <the nearest known name>?)", when it is near enough to be a typo of it: two
 * edits, or one per three characters after `pitaya.` / `PITAYA_`. Farther names (a Kubernetes
 * `PITAYA_SERVICE_HOST`) get no hint, as any would mislead.
 */
function didYouMean(name: string, known: readonly string[]): string {
  const nearest = closest(name, known);
  const typos = Math.max(2, Math.floor((name.length - 'pitaya.'.length) / 3));
  return distance(name, nearest) <= typos ? ` (did you mean ${nearest}?)` : '';
}
