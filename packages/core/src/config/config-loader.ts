import * as fs from 'node:fs';
import * as path from 'node:path';
import { closest, distance } from 'fastest-levenshtein';
import { parse as parseYaml } from 'yaml';
import {
  CONFIG_SCHEMA,
  InvalidValue,
  type ConfigKey,
  type ConfigSchema,
  type ConfigValue,
  type KeySpec,
} from './config-schema';
import { errorMessage } from '@pitaya-ts/protocol';

/** A configuration that cannot be used; the message names every bad key and why. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** No keys of the application's. */
// eslint-disable-next-line @typescript-eslint/no-generated-empty-object-type -- a schema without keys is the point
export type NoAppKeys = Record<never, never>;
/** The keys of Pitaya's and of the application's schema. */
export type KeyOf<A extends ConfigSchema> = ConfigKey | (keyof A & string);
/** The type of a key's values. */
export type ValueOf<A extends ConfigSchema, K extends KeyOf<A>> = K extends ConfigKey
  ? ConfigValue<K>
  : A[K] extends KeySpec<infer T>
    ? T
    : never;

/** Typed, validated configuration, `pitaya.*` and the application's keys, read-only once loaded. */
export class PitayaConfig<A extends ConfigSchema = NoAppKeys> {
  constructor(
    private readonly values: Readonly<Record<string, unknown>>,
    /** What was ignored while loading (unknown `PITAYA_*` variables...), for the server to log. */
    readonly warnings: readonly string[] = [],
  ) {}

  get<K extends KeyOf<A>>(key: K): ValueOf<A, K> {
    return this.values[key] as ValueOf<A, K>;
  }

  /** Every key with its value. */
  toJSON(): Readonly<{ [K in KeyOf<A>]: ValueOf<A, K> }> {
    return this.values as { [K in KeyOf<A>]: ValueOf<A, K> };
  }
}

export interface ConfigSources<A extends ConfigSchema = NoAppKeys> {
  /** Values from code: nested (`{ pitaya: { heartbeat: { interval: '5s' } } }`) or flat (`{ 'pitaya.heartbeat.interval': '5s' }`). */
  values?: Record<string, unknown>;
  /** A YAML or JSON file in the same shapes. */
  file?: string;
  /** Where the env vars come from; process.env by default. */
  env?: Record<string, string | undefined>;
  /**
   * The application's own keys (`configKey` builds them), read from the same sources; from env
   * under the same rule as Pitaya's: `ttt.maxplayers` is `TTT_MAXPLAYERS`.
   */
  schema?: A;
}

/** `pitaya.heartbeat.interval` → `PITAYA_HEARTBEAT_INTERVAL` */
export function envName(key: string): string {
  return key.toUpperCase().replace(/\./g, '_');
}

/** `ttt.maxplayers` → `ttt` */
function namespaceOf(key: string): string {
  const dot = key.indexOf('.');
  return dot < 0 ? key : key.slice(0, dot);
}

/** What loading needs to know of a set of keys. */
class KeyIndex {
  readonly keys: string[];
  readonly known: Set<string>;
  /** Keys whose value is itself an object: flattening stops there. */
  readonly objectKeys: Set<string>;
  /** Keys with keys under them (`pitaya.serializer` and `pitaya.serializer.protobuf.files`): an object there nests. */
  readonly parentKeys: Set<string>;
  readonly byEnvName: Map<string, string>;
  readonly envNames: string[];

  constructor(readonly schema: ConfigSchema) {
    this.keys = Object.keys(schema);
    this.known = new Set(this.keys);
    this.objectKeys = new Set(
      Object.entries(schema)
        .filter(([, spec]) => ['map', 'object', 'list'].includes(spec.kind))
        .map(([key]) => key),
    );
    this.parentKeys = new Set(this.keys.filter((k) => this.keys.some((other) => other.startsWith(`${k}.`))));
    this.byEnvName = new Map(this.keys.map((k) => [envName(k), k]));
    this.envNames = [...this.byEnvName.keys()];
  }
}

const PITAYA_KEYS = new KeyIndex(CONFIG_SCHEMA);
const APP_KEY = /^[a-z0-9_]+(\.[a-z0-9_]+)*$/;

/** An application's keys, refused when they cannot be told from Pitaya's or from each other. */
function appKeys(schema: ConfigSchema): KeyIndex {
  const problems: string[] = [];
  const byEnvName = new Map<string, string>();
  for (const key of Object.keys(schema)) {
    const env = envName(key);
    if (!APP_KEY.test(key)) problems.push(`${key}: lower-case letters, digits and _, in parts joined by dots`);
    else if (env === 'PITAYA' || env.startsWith('PITAYA_')) problems.push(`${key}: the pitaya namespace is Pitaya's`);
    else if (byEnvName.has(env)) problems.push(`${key}: read from env ${env}, as ${byEnvName.get(env)} is`);
    byEnvName.set(env, key);
  }
  if (problems.length > 0) throw new ConfigError(`invalid configuration schema:\n  ${problems.join('\n  ')}`);
  return new KeyIndex(schema);
}

/** Flattens nested objects into dotted keys, stopping at known keys whose values are objects. */
function flatten(
  index: KeyIndex,
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
      !index.objectKeys.has(key) &&
      (!index.known.has(key) || index.parentKeys.has(key))
    ) {
      flatten(index, v as Record<string, unknown>, key, out);
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
    throw new ConfigError(`cannot read config file ${file}: ${errorMessage(err)}`);
  }
  try {
    const parsed: unknown = path.extname(file) === '.json' ? JSON.parse(text) : parseYaml(text);
    if (parsed === null || parsed === undefined) return {};
    if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('the top level must be a mapping');
    return parsed as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError(
      `config file ${file} is not valid ${path.extname(file) === '.json' ? 'JSON' : 'YAML'}: ${errorMessage(err)}`,
    );
  }
}

/**
 * The env vars that name keys, and warnings for those that look meant to: every unknown
 * `PITAYA_*` variable (the prefix is Pitaya's), and in the application's namespaces only near
 * typos of its keys (`TTT_MAXPLAYER`), as the environment is shared with others there.
 */
function readEnv(
  env: Record<string, string | undefined>,
  all: KeyIndex,
  app: KeyIndex | undefined,
): { values: Record<string, unknown>; warnings: string[] } {
  const values: Record<string, unknown> = {};
  const warnings: string[] = [];
  const namespaces = app ? [...new Set(app.keys.map((key) => `${envName(namespaceOf(key))}_`))] : [];
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    const key = all.byEnvName.get(name);
    if (key) {
      values[key] = value;
    } else if (name.startsWith('PITAYA_')) {
      warnings.push(`env ${name}: no such configuration key, ignored${didYouMean(name, PITAYA_KEYS.envNames)}`);
    } else if (app && namespaces.some((namespace) => name.startsWith(namespace))) {
      const hint = didYouMean(name, app.envNames);
      if (hint) warnings.push(`env ${name}: no such configuration key, ignored${hint}`);
    }
  }
  return { values, warnings };
}

/**
 * Builds the configuration: defaults, then the file, then code, then env vars, each overriding
 * the one before. Unknown keys and bad values are all reported in one ConfigError; unknown
 * `PITAYA_*` variables only warn (see `PitayaConfig.warnings`): the environment is shared with
 * others (Kubernetes names a service's variables after it: `PITAYA_SERVICE_HOST`,
 * `PITAYA_PORT_3250_TCP`... for a service `pitaya`), a file or code is the server's own.
 */
export function loadConfig<A extends ConfigSchema = NoAppKeys>(sources: ConfigSources<A> = {}): PitayaConfig<A> {
  const app = sources.schema ? appKeys(sources.schema) : undefined;
  const all = app ? new KeyIndex({ ...CONFIG_SCHEMA, ...app.schema }) : PITAYA_KEYS;
  const layers: [string, Record<string, unknown>][] = [];
  if (sources.file) layers.push([`file ${sources.file}`, flatten(all, readFile(sources.file))]);
  if (sources.values) layers.push(['code', flatten(all, sources.values)]);
  const env = readEnv(sources.env ?? process.env, all, app);
  layers.push(['env', env.values]);

  const problems: string[] = [];
  const values = Object.fromEntries(Object.entries(all.schema).map(([key, spec]) => [key, spec.default]));
  for (const [source, layer] of layers) {
    for (const [key, raw] of Object.entries(layer)) {
      const spec = all.schema[key];
      if (!spec) {
        problems.push(`${source}: unknown key ${key}${didYouMean(key.toLowerCase(), all.keys)}`);
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
  return new PitayaConfig<A>(Object.freeze(values), Object.freeze(env.warnings));
}

/**
 * " (did you mean <the nearest known name>?)", when it is near enough to be a typo of it: two
 * edits, or one per three characters after the first part (`pitaya.`, `PITAYA_`, `TTT_`). Farther
 * names (a Kubernetes `PITAYA_SERVICE_HOST`) get no hint, as any would mislead.
 */
function didYouMean(name: string, known: readonly string[]): string {
  if (known.length === 0) return '';
  const nearest = closest(name, known);
  const typos = Math.max(2, Math.floor((name.length - name.search(/[._]/) - 1) / 3));
  return distance(name, nearest) <= typos ? ` (did you mean ${nearest}?)` : '';
}
