import 'reflect-metadata';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, loadConfig } from '@pitaya-ts/core';
import { captureLogger, Harness } from './helpers';

// what Kubernetes puts in every pod of a namespace with a service named `pitaya`
const kubernetes = {
  PITAYA_SERVICE_HOST: '10.0.0.7',
  PITAYA_SERVICE_PORT: '3250',
  PITAYA_PORT: 'tcp://10.0.0.7:3250',
  PITAYA_PORT_3250_TCP: 'tcp://10.0.0.7:3250',
  PITAYA_PORT_3250_TCP_PROTO: 'tcp',
  PITAYA_PORT_3250_TCP_PORT: '3250',
  PITAYA_PORT_3250_TCP_ADDR: '10.0.0.7',
};
const env = { ...kubernetes, PITAYA_HEARTBEAT_INTERVALL: '5s', PITAYA_HEARTBEAT_INTERVAL: '2s' };

describe('PITAYA_* variables that name no configuration key', () => {
  const harness = new Harness();
  afterEach(() => harness.cleanup());

  it('are ignored with a warning each; a typo of a key is told the key', () => {
    const config = loadConfig({ env });
    expect(config.get('pitaya.heartbeat.interval')).toBe(2000);
    expect(config.warnings).toEqual([
      ...Object.keys(kubernetes).map((name) => `env ${name}: no such configuration key, ignored`),
      'env PITAYA_HEARTBEAT_INTERVALL: no such configuration key, ignored (did you mean PITAYA_HEARTBEAT_INTERVAL?)',
    ]);
  });

  it('let the server start, which logs the warnings', async () => {
    const { logger, lines } = captureLogger('info');
    const app = await harness.server({ env, logger });
    expect(app.running).toBe(true);
    const warnings = lines.filter((line) => line.level === 40).map((line) => line.msg);
    expect(warnings).toHaveLength(Object.keys(kubernetes).length + 1);
    expect(warnings).toContain(
      'env PITAYA_HEARTBEAT_INTERVALL: no such configuration key, ignored (did you mean PITAYA_HEARTBEAT_INTERVAL?)',
    );
  });

  it('still refuse a bad value of a key', () => {
    expect(() => loadConfig({ env: { ...env, PITAYA_SESSION_UNIQUE: 'maybe' } })).toThrow(ConfigError);
  });
});

describe('unknown keys in a file or in code', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pitaya-config-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** The message of the ConfigError the load throws. */
  function refusal(load: () => unknown): string {
    expect(load).toThrow(ConfigError);
    try {
      load();
    } catch (err) {
      return (err as Error).message;
    }
    return '';
  }

  it('still refuse, with the nearest key when it is near enough to be a typo', () => {
    const file = path.join(dir, 'typo.yaml');
    fs.writeFileSync(file, 'pitaya:\n  sesion:\n    unique: false\n');
    expect(refusal(() => loadConfig({ env: {}, file }))).toContain(
      `file ${file}: unknown key pitaya.sesion.unique (did you mean pitaya.session.unique?)`,
    );
    const message = refusal(() =>
      loadConfig({ env: {}, values: { 'pitaya.conn.ratelimting.limit': 5, 'pitaya.nothing.like.this': 1 } }),
    );
    expect(message).toContain(
      'code: unknown key pitaya.conn.ratelimting.limit (did you mean pitaya.conn.ratelimiting.limit?)',
    );
    expect(message).toMatch(/code: unknown key pitaya\.nothing\.like\.this$/m);
  });
});
