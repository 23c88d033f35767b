import 'reflect-metadata';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bootstrap, ConfigError, configKey, loadConfig, type PitayaConfig } from '@pitaya-ts/core';

// a tic-tac-toe server's own keys
const schema = {
  'ttt.maxplayers': configKey.int(2, 'Players in a game', 1),
  'ttt.turn.timeout': configKey.duration('30s', 'Time a player has to move'),
  'ttt.ranked': configKey.bool(false, 'Games count for the ladder'),
  'ttt.board': configKey.string('classic', 'Board', ['classic', 'ultimate']),
  'ttt.region': configKey.string('eu', 'Region the server plays in'),
  'ttt.admins': configKey.list([], 'Uids allowed to end any game'),
};

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pitaya-app-config-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const full = path.join(dir, name);
  fs.writeFileSync(full, text);
  return full;
}

/** The message of the ConfigError a load throws. */
function refusal(load: () => unknown): string {
  try {
    load();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe("an application's own configuration keys", () => {
  it('have their defaults', () => {
    const config = loadConfig({ env: {}, schema });
    expect(config.get('ttt.maxplayers')).toBe(2);
    expect(config.get('ttt.turn.timeout')).toBe(30_000);
    expect(config.get('ttt.board')).toBe('classic');
    expect(config.get('pitaya.heartbeat.interval')).toBe(30_000);
  });

  it('are read from a file, from code and from env vars named after them, each over the one before', () => {
    const yaml = file('ttt.yaml', 'ttt:\n  maxplayers: 3\n  turn.timeout: 10s\n  board: ultimate\n  region: us\n');
    const config = loadConfig({
      file: yaml,
      values: { ttt: { maxplayers: 4, turn: { timeout: '20s' } } },
      env: { TTT_MAXPLAYERS: '5', TTT_RANKED: 'true', TTT_ADMINS: 'ann, bob' },
      schema,
    });
    expect(config.get('ttt.board')).toBe('ultimate'); // file
    expect(config.get('ttt.region')).toBe('us'); // file
    expect(config.get('ttt.turn.timeout')).toBe(20_000); // code over file
    expect(config.get('ttt.maxplayers')).toBe(5); // env over code
    expect(config.get('ttt.ranked')).toBe(true); // env
    expect(config.get('ttt.admins')).toEqual(['ann', 'bob']);
  });

  it('refuse a bad value as Pitaya keys do, naming the source and the key', () => {
    const message = refusal(() =>
      loadConfig({
        values: { 'ttt.maxplayers': 0, 'pitaya.conn.ratelimiting.limit': 0, 'ttt.board': 'hex' },
        env: { TTT_TURN_TIMEOUT: 'soon' },
        schema,
      }),
    );
    expect(message).toContain('code: pitaya.conn.ratelimiting.limit: expected an integer >= 1, got 0');
    expect(message).toContain('code: ttt.maxplayers: expected an integer >= 1, got 0');
    expect(message).toContain('code: ttt.board: expected one of classic, ultimate, got "hex"');
    expect(message).toContain('env: ttt.turn.timeout: expected a duration such as "500ms", "5s" or "1m", got "soon"');
  });

  it('refuse an unknown key of their namespace in code or a file, with the key meant', () => {
    const yaml = file('typo.yaml', 'ttt:\n  maxplayer: 3\n');
    expect(refusal(() => loadConfig({ env: {}, file: yaml, schema }))).toContain(
      `file ${yaml}: unknown key ttt.maxplayer (did you mean ttt.maxplayers?)`,
    );
    // without the schema, the application's keys are unknown
    expect(refusal(() => loadConfig({ env: {}, values: { 'ttt.maxplayers': 3 } }))).toContain(
      'code: unknown key ttt.maxplayers',
    );
  });

  it('warn of a near typo in their env namespace only: the rest of it belongs to others', () => {
    const config = loadConfig({
      env: { TTT_MAXPLAYER: '3', TTT_SERVICE_HOST: '10.0.0.7', TTT_PORT: 'tcp://10.0.0.7:3250', HOME: '/root' },
      schema,
    });
    expect(config.get('ttt.maxplayers')).toBe(2);
    expect(config.warnings).toEqual([
      'env TTT_MAXPLAYER: no such configuration key, ignored (did you mean TTT_MAXPLAYERS?)',
    ]);
  });

  it.each([
    [
      'a key of the pitaya namespace',
      { 'pitaya.maxplayers': configKey.int(2, 'x') },
      "the pitaya namespace is Pitaya's",
    ],
    ['a key that is not lower-case and dotted', { 'Ttt.Max-Players': configKey.int(2, 'x') }, 'lower-case'],
    [
      'two keys read from the same env var',
      { 'ttt.max_players': configKey.int(2, 'x'), 'ttt_max.players': configKey.int(2, 'x') },
      'read from env TTT_MAX_PLAYERS, as ttt.max_players is',
    ],
  ])('are refused when the schema has %s', (_what, bad, reason) => {
    expect(refusal(() => loadConfig({ env: {}, schema: bad }))).toContain(reason);
  });

  it('need a default of their type', () => {
    expect(() => configKey.duration('soon', 'x')).toThrow(/must be a duration, got "soon"/);
  });

  it('are loaded by bootstrap, and app.config types them', async () => {
    const app = await bootstrap({
      serverType: 'ttt',
      configSchema: schema,
      config: { 'pitaya.log.level': 'silent', 'ttt.maxplayers': 4 },
      env: { TTT_BOARD: 'ultimate' },
      handleSignals: false,
    });
    const players: number = app.config.get('ttt.maxplayers');
    const board: 'classic' | 'ultimate' = app.config.get('ttt.board');
    const region = app.config.get('ttt.region');
    // a string key without choices takes any string, not only its default
    const elsewhere: typeof region = 'us';
    const heartbeat: number = app.config.get('pitaya.heartbeat.interval');
    expect([players, board, region, heartbeat]).toEqual([4, 'ultimate', 'eu', 30_000]);
    // @ts-expect-error a number is not a string
    const wrong: string = app.config.get('ttt.maxplayers');
    // @ts-expect-error a key the schema does not have
    app.config.get('ttt.maxplayer');
    expect([wrong, elsewhere]).toEqual([4, 'us']);
    await expect(
      bootstrap({ serverType: 'ttt', configSchema: schema, config: { 'ttt.maxplayers': 0 }, handleSignals: false }),
    ).rejects.toThrow(/ttt\.maxplayers: expected an integer >= 1/);
  });

  it('are typed where the configuration is injected, by the schema given to PitayaConfig', () => {
    const config: PitayaConfig<typeof schema> = loadConfig({ env: {}, schema });
    const timeout: number = config.get('ttt.turn.timeout');
    const admins: string[] = config.get('ttt.admins');
    // @ts-expect-error a list is not a boolean
    const ranked: boolean = config.get('ttt.admins');
    expect([timeout, admins, ranked]).toEqual([30_000, [], []]);
  });
});
