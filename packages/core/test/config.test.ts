import 'reflect-metadata';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bootstrap, ConfigError, envName, formatDuration, loadConfig, parseDuration } from '@pitaya-ts/core';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pitaya-config-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function file(name: string, text: string): string {
  const full = path.join(dir, name);
  fs.writeFileSync(full, text);
  return full;
}

/** The ConfigError a load throws (fails the test when it does not throw one). */
function configError(load: () => unknown): ConfigError {
  try {
    load();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('parseDuration', () => {
  it.each([
    ['300ms', 300],
    ['5s', 5000],
    ['1m30s', 90_000],
    ['1.5h', 5_400_000],
    ['2h45m', 9_900_000],
    ['.5s', 500],
    ['1500us', 1.5],
    ['250', 250],
    ['0', 0],
  ])('parses %s as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it('takes numbers as milliseconds', () => {
    expect(parseDuration(1234)).toBe(1234);
    expect(parseDuration(-1)).toBeUndefined();
    expect(parseDuration(Number.NaN)).toBeUndefined();
  });

  it.each(['5x', '', 's', '5 s', '-5s', '1m30', 'ms5', '1h-30m'])('refuses %p', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('formats milliseconds as Pitaya writes them', () => {
    expect(formatDuration(5000)).toBe('5s');
    expect(formatDuration(250)).toBe('250ms');
  });
});

describe('loadConfig', () => {
  it('has the defaults of Pitaya and of this project', () => {
    const config = loadConfig({ env: {} });
    expect(config.get('pitaya.heartbeat.interval')).toBe(30_000);
    expect(config.get('pitaya.concurrency.handler.dispatch')).toBe(25);
    expect(config.get('pitaya.conn.ratelimiting.limit')).toBe(20);
    expect(config.get('pitaya.conn.ratelimiting.interval')).toBe(1000);
    expect(config.get('pitaya.conn.ratelimiting.forcedisable')).toBe(false);
    expect(config.get('pitaya.handler.messages.compression')).toBe(true);
    expect(config.get('pitaya.session.unique')).toBe(true);
    expect(config.get('pitaya.session.drain.enabled')).toBe(false);
    expect(config.get('pitaya.session.drain.timeout')).toBe(6 * 3_600_000);
    expect(config.get('pitaya.serializer')).toBe('json');
    expect(config.get('pitaya.defaultpipelines.structvalidation.enabled')).toBe(true);
    expect(config.get('pitaya.metrics.prometheus.enabled')).toBe(false);
    expect(config.get('pitaya.metrics.prometheus.port')).toBe(9090);
    expect(config.get('pitaya.cluster.sd.etcd.prefix')).toBe('pitaya/');
    expect(config.get('pitaya.cluster.sd.etcd.shutdown.delay')).toBe(300);
    expect(config.get('pitaya.cluster.rpc.client.nats.requesttimeout')).toBe(5000);
  });

  it('reads nested and dotted values from code', () => {
    const config = loadConfig({
      env: {},
      values: {
        pitaya: { heartbeat: { interval: '5s' }, 'conn.ratelimiting': { limit: 7 } },
        'pitaya.session.unique': false,
        'pitaya.metrics.constanttags': { region: 'eu' },
      },
    });
    expect(config.get('pitaya.heartbeat.interval')).toBe(5000);
    expect(config.get('pitaya.conn.ratelimiting.limit')).toBe(7);
    expect(config.get('pitaya.session.unique')).toBe(false);
    expect(config.get('pitaya.metrics.constanttags')).toEqual({ region: 'eu' });
  });

  it('reads a key nested under a key that also has a value of its own', () => {
    const config = loadConfig({
      env: {},
      values: { pitaya: { serializer: { protobuf: { files: ['a.proto'] } } } },
    });
    expect(config.get('pitaya.serializer.protobuf.files')).toEqual(['a.proto']);
    expect(config.get('pitaya.serializer')).toBe('json');
  });

  it('reads a YAML file', () => {
    const yaml = file(
      'pitaya.yaml',
      [
        'pitaya:',
        '  heartbeat:',
        '    interval: 1m30s',
        '  concurrency.handler.dispatch: 4',
        '  cluster:',
        '    sd:',
        '      etcd:',
        '        endpoints: [a:1, b:2]',
        'pitaya.game: yaml-game',
      ].join('\n'),
    );
    const config = loadConfig({ env: {}, file: yaml });
    expect(config.get('pitaya.heartbeat.interval')).toBe(90_000);
    expect(config.get('pitaya.concurrency.handler.dispatch')).toBe(4);
    expect(config.get('pitaya.cluster.sd.etcd.endpoints')).toEqual(['a:1', 'b:2']);
    expect(config.get('pitaya.game')).toBe('yaml-game');
  });

  it('reads a JSON file', () => {
    const json = file(
      'pitaya.json',
      JSON.stringify({ pitaya: { game: 'json-game', conn: { ratelimiting: { interval: '250ms' } } } }),
    );
    const config = loadConfig({ env: {}, file: json });
    expect(config.get('pitaya.game')).toBe('json-game');
    expect(config.get('pitaya.conn.ratelimiting.interval')).toBe(250);
  });

  it('reads PITAYA_* env vars and names them after the keys', () => {
    expect(envName('pitaya.heartbeat.interval')).toBe('PITAYA_HEARTBEAT_INTERVAL');
    const config = loadConfig({
      env: {
        PITAYA_HEARTBEAT_INTERVAL: '2s',
        PITAYA_SESSION_UNIQUE: 'false',
        PITAYA_CONCURRENCY_HANDLER_DISPATCH: '3',
        PITAYA_CLUSTER_SD_ETCD_ENDPOINTS: 'x:1, y:2',
        PITAYA_METRICS_CONSTANTTAGS: '{"region":"us"}',
        HOME: '/not/a/pitaya/var',
      },
    });
    expect(config.get('pitaya.heartbeat.interval')).toBe(2000);
    expect(config.get('pitaya.session.unique')).toBe(false);
    expect(config.get('pitaya.concurrency.handler.dispatch')).toBe(3);
    expect(config.get('pitaya.cluster.sd.etcd.endpoints')).toEqual(['x:1', 'y:2']);
    expect(config.get('pitaya.metrics.constanttags')).toEqual({ region: 'us' });
  });

  it('layers defaults < file < code < env', () => {
    const yaml = file(
      'layers.yaml',
      'pitaya.game: from-file\npitaya.heartbeat.interval: 11s\npitaya.conn.ratelimiting.limit: 11\n',
    );
    const config = loadConfig({
      file: yaml,
      values: { 'pitaya.heartbeat.interval': '12s', 'pitaya.conn.ratelimiting.limit': 12 },
      env: { PITAYA_CONN_RATELIMITING_LIMIT: '13' },
    });
    expect(config.get('pitaya.concurrency.handler.dispatch')).toBe(25); // default
    expect(config.get('pitaya.game')).toBe('from-file'); // file over default
    expect(config.get('pitaya.heartbeat.interval')).toBe(12_000); // code over file
    expect(config.get('pitaya.conn.ratelimiting.limit')).toBe(13); // env over code
  });

  it('is read-only once loaded', () => {
    const config = loadConfig({ env: {} });
    expect(() => {
      (config.toJSON() as Record<string, unknown>)['pitaya.game'] = 'changed';
    }).toThrow(TypeError);
    expect(config.get('pitaya.game')).toBe('pitaya');
  });

  it.each([
    ['an unknown key', { 'pitaya.heartbeat.intervall': '1s' }, {}, 'pitaya.heartbeat.intervall'],
    ['a bad duration', { 'pitaya.heartbeat.interval': '5x' }, {}, 'pitaya.heartbeat.interval'],
    ['a non-integer', { 'pitaya.concurrency.handler.dispatch': 2.5 }, {}, 'pitaya.concurrency.handler.dispatch'],
    ['an integer below the minimum', { 'pitaya.conn.ratelimiting.limit': 0 }, {}, 'pitaya.conn.ratelimiting.limit'],
    ['a non-integer env var', {}, { PITAYA_BUFFER_AGENT_MESSAGES: '10k' }, 'pitaya.buffer.agent.messages'],
    ['a bad bool', { 'pitaya.session.unique': 'yes please' }, {}, 'pitaya.session.unique'],
    ['a bad serializer', { 'pitaya.serializer': 'xml' }, {}, 'pitaya.serializer'],
  ])('refuses %s with a ConfigError naming it', (_what, values, env, named) => {
    const error = configError(() => loadConfig({ values, env }));
    expect(error.message).toContain(named);
  });

  it('suggests the key meant', () => {
    const error = configError(() => loadConfig({ env: {}, values: { 'pitaya.heartbeat.intervall': '1s' } }));
    expect(error.message).toContain('did you mean pitaya.heartbeat.interval');
  });

  it('reports every problem at once', () => {
    const yaml = file('bad.yaml', 'pitaya.game: 42\npitaya.unknown.filekey: 1\n');
    const error = configError(() =>
      loadConfig({
        file: yaml,
        values: { 'pitaya.heartbeat.interval': '5x', 'pitaya.serializer': 'xml' },
        env: { PITAYA_SESSION_UNIQUE: 'maybe' },
      }),
    );
    for (const named of [
      'pitaya.game',
      'pitaya.unknown.filekey',
      'pitaya.heartbeat.interval',
      'pitaya.serializer',
      'pitaya.session.unique',
    ]) {
      expect(error.message).toContain(named);
    }
    expect(error.message).toContain(yaml);
  });

  it('refuses a file that cannot be read or parsed', () => {
    expect(configError(() => loadConfig({ env: {}, file: path.join(dir, 'missing.yaml') })).message).toContain(
      'missing.yaml',
    );
    const broken = file('broken.json', '{ "pitaya": ');
    expect(configError(() => loadConfig({ env: {}, file: broken })).message).toContain('broken.json');
  });
});

describe('bootstrap config', () => {
  it('loads the file, the code values and the env given', async () => {
    const yaml = file('boot.yaml', 'pitaya:\n  game: boot-game\n  heartbeat.interval: 7s\n');
    const app = await bootstrap({
      serverType: 'game',
      configFile: yaml,
      config: { 'pitaya.log.level': 'silent', 'pitaya.heartbeat.interval': '8s' },
      env: { PITAYA_CONCURRENCY_HANDLER_DISPATCH: '9' },
      handleSignals: false,
    });
    expect(app.config.get('pitaya.game')).toBe('boot-game');
    expect(app.config.get('pitaya.heartbeat.interval')).toBe(8000);
    expect(app.config.get('pitaya.concurrency.handler.dispatch')).toBe(9);
  });

  it('rejects a bad configuration before building anything', async () => {
    await expect(
      bootstrap({ serverType: 'game', config: { 'pitaya.serializer': 'xml' }, env: {}, handleSignals: false }),
    ).rejects.toThrow(ConfigError);
    await expect(
      bootstrap({ serverType: 'game', env: { PITAYA_SESSION_UNIQUE: 'maybe' }, handleSignals: false }),
    ).rejects.toThrow(/pitaya.session.unique/);
  });
});
