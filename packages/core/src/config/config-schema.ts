import { parseDuration } from './duration';

/** One configuration key: its kind, its default, and what it does (README's table comes from here). */
export interface KeySpec<T> {
  kind: 'duration' | 'int' | 'bool' | 'string' | 'list' | 'map' | 'object';
  default: T;
  doc: string;
  /** Returns the parsed value, or an InvalidValue saying why the input is wrong. */
  parse(input: unknown): T | InvalidValue;
}

/** Why an input is not a valid value for a key. */
export class InvalidValue {
  constructor(readonly reason: string) {}
}

const fail = (reason: string) => new InvalidValue(reason);

function duration(def: string, doc: string): KeySpec<number> {
  const ms = parseDuration(def);
  if (ms === undefined) throw new TypeError(`the default of a duration key must be a duration, got "${def}"`);
  return {
    kind: 'duration',
    default: ms,
    doc,
    parse: (v) => {
      const ms = typeof v === 'string' || typeof v === 'number' ? parseDuration(v) : undefined;
      return ms ?? fail(`expected a duration such as "500ms", "5s" or "1m", got ${JSON.stringify(v)}`);
    },
  };
}

function int(def: number, doc: string, min = 0): KeySpec<number> {
  return {
    kind: 'int',
    default: def,
    doc,
    parse: (v) => {
      const n = typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v;
      return typeof n === 'number' && Number.isInteger(n) && n >= min
        ? n
        : fail(`expected an integer >= ${min}, got ${JSON.stringify(v)}`);
    },
  };
}

function ratio(def: number, doc: string): KeySpec<number> {
  return {
    kind: 'int',
    default: def,
    doc,
    parse: (v) => {
      const n = typeof v === 'string' ? Number(v) : v;
      return typeof n === 'number' && n > 0 && n <= 1
        ? n
        : fail(`expected a number in (0, 1], got ${JSON.stringify(v)}`);
    },
  };
}

function bool(def: boolean, doc: string): KeySpec<boolean> {
  return {
    kind: 'bool',
    default: def,
    doc,
    parse: (v) => {
      if (typeof v === 'boolean') return v;
      // Go's strconv.ParseBool, which Pitaya's configuration uses
      if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v as string)) return true;
      if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v as string)) return false;
      return fail(`expected true or false, got ${JSON.stringify(v)}`);
    },
  };
}

// the type comes from the choices, not from the default: `string('eu', ...)` is a string
function string<T extends string = string>(def: NoInfer<T>, doc: string, choices?: readonly T[]): KeySpec<T> {
  return {
    kind: 'string',
    default: def,
    doc,
    parse: (v) => {
      if (typeof v !== 'string') return fail(`expected a string, got ${JSON.stringify(v)}`);
      if (choices && !choices.includes(v as T)) return fail(`expected one of ${choices.join(', ')}, got "${v}"`);
      return v as T;
    },
  };
}

function list(def: string[], doc: string): KeySpec<string[]> {
  return {
    kind: 'list',
    default: def,
    doc,
    parse: (v) => {
      if (typeof v === 'string')
        return v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
      if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v;
      return fail(`expected a list of strings (or a comma-separated string), got ${JSON.stringify(v)}`);
    },
  };
}

function jsonValue(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

function map(doc: string): KeySpec<Record<string, string>> {
  return {
    kind: 'map',
    default: {},
    doc,
    parse: (input) => {
      const v = jsonValue(input);
      if (v && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((s) => typeof s === 'string')) {
        return v as Record<string, string>;
      }
      return fail(`expected an object of strings (JSON in env vars), got ${JSON.stringify(input)}`);
    },
  };
}

export interface CustomMetricSpec {
  subsystem?: string;
  name: string;
  help: string;
  labels?: string[];
  /** histograms only */
  buckets?: number[];
  /** summaries only: quantile → allowed error */
  objectives?: Record<string, number>;
}

export interface CustomMetrics {
  counters: CustomMetricSpec[];
  gauges: CustomMetricSpec[];
  summaries: CustomMetricSpec[];
  histograms: CustomMetricSpec[];
}

function customMetrics(doc: string): KeySpec<CustomMetrics> {
  const kinds = ['counters', 'gauges', 'summaries', 'histograms'] as const;
  return {
    kind: 'object',
    default: { counters: [], gauges: [], summaries: [], histograms: [] },
    doc,
    parse: (input) => {
      const v = jsonValue(input);
      if (!v || typeof v !== 'object' || Array.isArray(v)) return fail('expected an object');
      const unknown = Object.keys(v).filter((k) => !(kinds as readonly string[]).includes(k));
      if (unknown.length) return fail(`unknown metric kinds ${unknown.join(', ')} (use ${kinds.join(', ')})`);
      const out: CustomMetrics = { counters: [], gauges: [], summaries: [], histograms: [] };
      for (const kind of kinds) {
        const specs = (v as Record<string, unknown>)[kind] ?? [];
        if (!Array.isArray(specs)) return fail(`${kind} must be a list`);
        if (!specs.every(isMetricSpec)) return fail(`each of ${kind} needs a non-empty name and help`);
        out[kind] = specs;
      }
      return out;
    },
  };
}

/** A custom metric names itself and says what it counts: a non-empty name and help. */
function isMetricSpec(spec: unknown): spec is CustomMetricSpec {
  if (!spec || typeof spec !== 'object') return false;
  const { name, help } = spec as Partial<Record<'name' | 'help', unknown>>;
  return typeof name === 'string' && name !== '' && typeof help === 'string' && help !== '';
}

/**
 * Every `pitaya.*` key: Pitaya's configuration chapter with the defaults of Pitaya's code, plus
 * this project's additions (marked so). One source of truth for defaults, parsing and docs.
 */
export const CONFIG_SCHEMA = {
  // server
  'pitaya.game': string('pitaya', 'Game name: the constant `game` label of every metric (pitaya-ts)'),
  'pitaya.serializer': string(
    'json',
    'Serializer announced in the handshake: json or protobuf (pitaya-ts; Pitaya sets it in code)',
    ['json', 'protobuf'] as const,
  ),
  'pitaya.serializer.json.maxdepth': int(
    64,
    'json serializer: a body nesting arrays and objects deeper is refused with PIT-400, unparsed (pitaya-ts)',
    1,
  ),
  'pitaya.serializer.protobuf.files': list(
    [],
    "protobuf serializer: .proto files holding the handlers' message types (pitaya-ts)",
  ),
  'pitaya.log.level': string('info', 'Log level: fatal, error, warn, info, debug, trace or silent (pitaya-ts)', [
    'fatal',
    'error',
    'warn',
    'info',
    'debug',
    'trace',
    'silent',
  ] as const),
  'pitaya.log.format': string(
    'auto',
    'Log lines: json, pretty (coloured, for people), or auto: pretty when stdout is a terminal (pitaya-ts)',
    ['auto', 'json', 'pretty'] as const,
  ),

  // connection
  'pitaya.heartbeat.interval': duration(
    '30s',
    'Heartbeat interval sent in the handshake; a connection silent for two intervals is closed',
  ),
  'pitaya.handshake.timeout': duration(
    '10s',
    'Time from accept to TLS/WebSocket upgrade, then to handshake and ack, else closed; 0: none (pitaya-ts)',
  ),
  'pitaya.handler.messages.compression': bool(
    true,
    'zlib message bodies towards Pitaya clients when that makes them smaller (never towards pomelo clients)',
  ),
  'pitaya.conn.maxpacketsize': int(
    1 << 20,
    'Largest packet accepted from a client, header included; a larger one closes the connection (pitaya-ts)',
    5,
  ),
  'pitaya.conn.inflate.maxsize': int(
    256 * 1024,
    "Largest size a client's compressed body may inflate to; a request past it is answered PIT-400 (pitaya-ts)",
    1,
  ),
  'pitaya.conn.inflate.rate': int(
    1024 * 1024,
    "Bytes/s a connection's compressed bodies may inflate to; past it, reading pauses; 0: no limit (pitaya-ts)",
  ),
  'pitaya.conn.ratelimiting.limit': int(20, 'Rate limiting: requests allowed per interval per connection', 1),
  'pitaya.conn.ratelimiting.interval': duration('1s', 'Rate limiting: the window of the leaky bucket'),
  'pitaya.conn.ratelimiting.forcedisable': bool(false, 'Ignore rate limiting even where an acceptor enables it'),
  'pitaya.buffer.agent.messages': int(
    100,
    'Messages queued for a socket not draining; when full, its client is not read; more are dropped and counted',
    1,
  ),
  'pitaya.buffer.agent.writetimeout': duration(
    '10s',
    'A connection whose socket has not drained for this long is closed',
  ),
  'pitaya.buffer.handler.localprocess': int(
    20,
    'Messages of one session waiting for dispatch before its connection stops being read (back-pressure)',
    1,
  ),
  'pitaya.acceptor.proxyprotocol': bool(false, 'Read a PROXY protocol v1/v2 header on TCP connections'),
  'pitaya.acceptor.ws.maxheadersize': int(
    8 * 1024,
    'Largest head of a WebSocket upgrade request, in bytes; a larger one is answered 431 (pitaya-ts)',
    1024,
  ),

  // concurrency
  'pitaya.concurrency.handler.dispatch': int(
    25,
    "Messages handled at once (local and forwarded); one session's messages are always handled in order",
    1,
  ),
  'pitaya.concurrency.handler.pipeline': int(
    10,
    "A session's forwards on their way at once to a backend that orders them; 1: each waits for its answer (pitaya-ts)",
    1,
  ),

  // sessions
  'pitaya.session.unique': bool(true, 'A session binding a uid already bound elsewhere kicks the older session'),
  'pitaya.session.drain.enabled': bool(false, 'On SIGTERM, wait for sessions to end before shutting down'),
  'pitaya.session.drain.timeout': duration('6h', 'Longest wait for sessions to drain'),
  'pitaya.session.drain.period': duration('5s', 'How often the drain logs the sessions left'),
  'pitaya.shutdown.timeout': duration(
    '5s',
    'Longest wait at shutdown for the messages and RPCs already read; what still runs gets PIT-503 (pitaya-ts)',
  ),

  // pipelines
  'pitaya.defaultpipelines.structvalidation.enabled': bool(
    true,
    "Validate DTO bodies with class-validator before handlers (Pitaya's code: off)",
  ),

  // groups
  'pitaya.groups.memory.tickduration': duration('30s', 'How often expired in-memory groups are deleted'),
  'pitaya.groups.etcd.endpoints': list(['localhost:2379'], 'etcd groups (@pitaya-ts/etcd): etcd endpoints'),
  'pitaya.groups.etcd.prefix': string('pitaya/', 'etcd groups: key prefix; servers share groups under the same one'),
  'pitaya.groups.etcd.dialtimeout': duration('5s', 'etcd groups: etcd dial timeout'),
  'pitaya.groups.etcd.transactiontimeout': duration(
    '5s',
    'etcd groups: an operation etcd has not answered within this fails with PIT-500',
  ),

  // binding storage (where users are connected, for gRPC RPC)
  'pitaya.modules.bindingstorage.etcd.endpoints': list(
    ['localhost:2379'],
    'Binding storage (@pitaya-ts/etcd): etcd endpoints',
  ),
  'pitaya.modules.bindingstorage.etcd.prefix': string(
    'pitaya/',
    "Binding storage: key prefix of `<prefix>bindings/<frontendType>/<uid>`; the cluster's servers share it",
  ),
  'pitaya.modules.bindingstorage.etcd.dialtimeout': duration('5s', 'Binding storage: etcd dial timeout'),
  'pitaya.modules.bindingstorage.etcd.leasettl': duration(
    '1h',
    "TTL of the lease a frontend's bindings live under: how long they outlive a frontend that died",
  ),

  // reliable RPC (@pitaya-ts/worker)
  'pitaya.worker.redis.url': string(
    'localhost:6379',
    'Redis of the reliable-RPC job queue: `host:port` or a `redis://` URL',
  ),
  'pitaya.worker.redis.pool': int(
    10,
    'Redis connections for commands (enqueue, acknowledge, retry); fetching uses one more',
    1,
  ),
  'pitaya.worker.redis.password': string('', 'Redis password'),
  'pitaya.worker.concurrency': int(10, 'Jobs this server runs at once', 1),
  'pitaya.worker.namespace': string('', 'Prefix of every key, followed by `:` (blue/green stacks share a Redis apart)'),
  'pitaya.worker.processid': string(
    '',
    "Name of this server's in-progress list, re-run at its next start; the hostname when empty, so unique per host (pitaya-ts)",
  ),
  'pitaya.worker.retry.enabled': bool(true, 'Retry failed jobs'),
  'pitaya.worker.retry.max': int(5, 'Retries of a job (go-workers runs a job at most max + 2 times)'),
  'pitaya.worker.retry.exponential': int(
    5,
    'Backoff exponent: min(count^exp + mindelay + rand(maxrandom)*(count+1), maxdelay) seconds',
  ),
  'pitaya.worker.retry.mindelay': int(10, 'Backoff: smallest delay, seconds'),
  'pitaya.worker.retry.maxdelay': int(10, 'Backoff: largest delay, seconds'),
  'pitaya.worker.retry.maxrandom': int(10, 'Backoff: random part, seconds'),
  'pitaya.worker.poll.interval': duration(
    '15s',
    "How often due retries and scheduled jobs go back to their queue, and the queue's size is sampled (pitaya-ts)",
  ),
  'pitaya.worker.dead.max': int(
    10_000,
    'Jobs kept in `<namespace>dead` after their last retry failed, newest first; older ones are dropped (pitaya-ts)',
  ),

  // metrics
  'pitaya.metrics.prometheus.enabled': bool(false, 'Serve Prometheus metrics'),
  'pitaya.metrics.prometheus.port': int(9090, 'Port of the Prometheus endpoint (/metrics)'),
  'pitaya.metrics.statsd.enabled': bool(false, 'Report metrics to statsd'),
  'pitaya.metrics.statsd.host': string('localhost:9125', 'statsd address'),
  'pitaya.metrics.statsd.prefix': string('pitaya.', 'statsd metric prefix'),
  'pitaya.metrics.statsd.rate': ratio(1, 'statsd sample rate (1 = every sample)'),
  'pitaya.metrics.constanttags': map('Labels added to every metric'),
  'pitaya.metrics.additionaltags': map(
    "Labels of Pitaya's metrics with their default values; `addMetricTags(ctx, tags)` sets a request's",
  ),
  'pitaya.metrics.periodicmetrics.period': duration(
    '15s',
    'How often statsd is sent the process gauges (sys_heapsize); Prometheus reads them at each scrape',
  ),
  'pitaya.metrics.custom': customMetrics(
    'Custom counters, gauges, summaries and histograms: {subsystem, name, help, labels}',
  ),

  // cluster: this server
  'pitaya.cluster.info.region': string(
    '',
    'Region of this server, published as `region`: gRPC calls other regions at their external address',
  ),

  // tracing
  'pitaya.tracing.enabled': bool(
    false,
    'Traces of client messages and RPCs with @pitaya-ts/tracing (OpenTelemetry); OTEL_TRACES_EXPORTER=otlp turns them on too',
  ),

  // cluster: service discovery
  'pitaya.cluster.sd.etcd.endpoints': list(['localhost:2379'], 'etcd endpoints'),
  'pitaya.cluster.sd.etcd.user': string('', 'etcd user'),
  'pitaya.cluster.sd.etcd.pass': string('', 'etcd password'),
  'pitaya.cluster.sd.etcd.dialtimeout': duration('5s', 'etcd dial timeout'),
  'pitaya.cluster.sd.etcd.prefix': string('pitaya/', 'Key prefix; servers see each other only under the same prefix'),
  'pitaya.cluster.sd.etcd.heartbeat.ttl': duration('60s', "TTL of the lease the server's key lives under"),
  'pitaya.cluster.sd.etcd.heartbeat.log': bool(false, 'Log lease keep-alives at debug level'),
  'pitaya.cluster.sd.etcd.grantlease.timeout': duration(
    '60s',
    'A lease grant etcd has not answered within this is a failed attempt, retried as below',
  ),
  'pitaya.cluster.sd.etcd.grantlease.maxretries': int(15, 'Attempts to re-grant a lost lease before shutting down'),
  'pitaya.cluster.sd.etcd.grantlease.retryinterval': duration('5s', 'Delay between lease grant attempts'),
  'pitaya.cluster.sd.etcd.revoke.timeout': duration('5s', 'Timeout of the lease revoke at shutdown'),
  'pitaya.cluster.sd.etcd.syncservers.interval': duration(
    '120s',
    'How often the server keys are listed again, to catch what the watch missed',
  ),
  'pitaya.cluster.sd.etcd.syncservers.parallelism': int(
    10,
    'Servers that re-read fetches at once, among those it found unknown',
    1,
  ),
  'pitaya.cluster.sd.etcd.shutdown.delay': duration('300ms', 'Wait after deregistering before shutting down'),
  'pitaya.cluster.sd.etcd.servertypesblacklist': list([], 'Server types discovery ignores'),

  // cluster: RPC
  'pitaya.cluster.rpc.client.nats.connect': string('nats://localhost:4222', 'NATS URL of the RPC client'),
  'pitaya.cluster.rpc.client.nats.requesttimeout': duration('5s', 'RPC timeout (PIT-408 after it)'),
  'pitaya.cluster.rpc.client.nats.connectiontimeout': duration('2s', 'NATS connect timeout of the RPC client'),
  'pitaya.cluster.rpc.client.nats.maxreconnectionretries': int(15, 'NATS reconnect attempts of the RPC client'),
  'pitaya.cluster.rpc.client.unreachable.hold': duration(
    '2s',
    'A server NATS found nobody serving stays out of routing this long, or until listed anew (pitaya-ts)',
  ),
  'pitaya.cluster.rpc.client.unreachable.probe': duration(
    '200ms',
    'A server with a call waiting this long is probed: if nobody serves it, its calls fail (pitaya-ts)',
  ),
  'pitaya.cluster.rpc.server.nats.connect': string('nats://localhost:4222', 'NATS URL of the RPC server'),
  'pitaya.cluster.rpc.server.nats.connectiontimeout': duration('2s', 'NATS connect timeout of the RPC server'),
  'pitaya.cluster.rpc.server.nats.maxreconnectionretries': int(15, 'NATS reconnect attempts of the RPC server'),
  'pitaya.cluster.rpc.server.nats.services': int(30, 'RPCs processed at once by the server', 1),
  'pitaya.buffer.cluster.rpc.server.nats.messages': int(
    75,
    'RPCs waiting to be processed; beyond it they are dropped and counted',
    1,
  ),
  'pitaya.cluster.rpc.client.grpc.dialtimeout': duration(
    '5s',
    'gRPC client (@pitaya-ts/grpc): longest wait for a connection to a server before a call to it fails',
  ),
  'pitaya.cluster.rpc.client.grpc.requesttimeout': duration('5s', 'gRPC client: RPC timeout (PIT-408 after it)'),
  'pitaya.cluster.rpc.client.grpc.lazyconnection': bool(
    false,
    'gRPC client: connect to a server at its first call rather than when discovery adds it',
  ),
  'pitaya.cluster.rpc.server.grpc.port': int(3434, 'gRPC server: port it listens on (all interfaces); 0: any free one'),
  'pitaya.cluster.rpc.server.grpc.host': string(
    '',
    "gRPC server: host published as `grpcHost` unless the server's metadata sets it; the hostname when empty (pitaya-ts)",
  ),
  'pitaya.cluster.rpc.server.loopback': bool(true, "Allow RPC to one's own server type (Pitaya v2)"),
} as const;

/**
 * The builders of keys, for an application's own (`bootstrap({ configSchema })`): a default, a doc
 * string, and for `int` a minimum, for `string` the values allowed.
 */
export const configKey = { duration, int, bool, string, list, map } as const;

/** Keys and their specs: Pitaya's (`CONFIG_SCHEMA`) or an application's. */
export type ConfigSchema = Readonly<Record<string, KeySpec<unknown>>>;

export type ConfigKey = keyof typeof CONFIG_SCHEMA;
export type ConfigValue<K extends ConfigKey> = (typeof CONFIG_SCHEMA)[K] extends KeySpec<infer T> ? T : never;
export type ConfigValues = { [K in ConfigKey]: ConfigValue<K> };
