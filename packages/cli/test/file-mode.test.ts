import 'reflect-metadata';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  bootstrap,
  Handler,
  PitayaError,
  Proto,
  Request,
  WsAcceptor,
  type HandlerContext,
  type PitayaApp,
} from '@pitaya-ts/core';

const CLI_MAIN = path.resolve(__dirname, '../dist/main.js');
const PROTO = path.join(__dirname, 'fixtures', 'game.proto');
const TYPES = path.join(__dirname, 'fixtures', 'game-types.yaml');

@Handler('room')
class RoomHandler {
  /** Answers with what it saw of the body and of the handshake, after a push. */
  @Request()
  @Proto('game.JoinRequest', 'game.JoinResponse')
  async join(body: { name: string; level: number }, { session }: HandlerContext) {
    await session.push('onEvent', { text: `${body.name} joined`, important: true });
    const { sys, user } = session.handshake ?? {};
    return {
      members: [body.name],
      count: body.level,
      tags: { platform: String(sys?.platform), user: JSON.stringify(user) },
    };
  }

  @Request()
  @Proto('game.JoinRequest', 'game.JoinResponse')
  full(): never {
    throw new PitayaError('PIT-555', 'room is full', { room: 'lobby' });
  }
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function runCli(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI_MAIN, ...args], (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

describe('pitaya-cli --file, against a protobuf server', () => {
  let app: PitayaApp;
  let url: string;
  let dir: string;
  const commands = (...lines: string[]) => {
    const file = path.join(dir, 'commands.txt');
    fs.writeFileSync(file, lines.join('\n'));
    return file;
  };

  beforeAll(async () => {
    app = await bootstrap({
      serverType: 'game',
      handlers: [RoomHandler],
      acceptors: [new WsAcceptor({ host: '127.0.0.1', port: 0 })],
      pushTypes: { onEvent: 'game.Event' },
      config: {
        'pitaya.log.level': 'silent',
        'pitaya.serializer': 'protobuf',
        'pitaya.serializer.protobuf.files': [PROTO],
      },
      handleSignals: false,
    });
    await app.start();
    url = `ws://127.0.0.1:${app.acceptors[0]!.address()!.port}`;
  });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pitaya-cli-file-'));
  });

  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  afterAll(() => app?.stop());

  it('runs the commands in order with the types of --proto and --types, pushes included, and exits 0', async () => {
    const file = commands(
      '# a comment, then a blank line',
      '',
      'sethandshake {"sys": {"platform": "repl"}, "user": {"name": "cy"}}',
      'push onEvent game.Event',
      `connect ${url}`,
      'request game.room.join {"name": "ana", "level": 3}',
      'disconnect',
    );
    const run = await runCli(['--proto', PROTO, '--types', TYPES, '--file', file]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout.split('\n')).toEqual([
      '>>> sethandshake {"sys": {"platform": "repl"}, "user": {"name": "cy"}}',
      'handshake set',
      '>>> push onEvent game.Event',
      'push onEvent decodes as game.Event',
      `>>> connect ${url}`,
      `connected to ${url} (protobuf, 0 routes in the dictionary)`,
      '>>> request game.room.join {"name": "ana", "level": 3}',
      'push onEvent: {"text":"ana joined","important":true}',
      'response game.room.join: {"members":["ana"],"tags":{"platform":"repl","user":"{\\"name\\":\\"cy\\"}"},"count":3}',
      '>>> disconnect',
      'disconnected',
      '',
    ]);
  });

  it('stops at the first error answer with exit code 1, printing its code, message and metadata', async () => {
    const file = commands('request game.room.full {"name": "bo"}', 'request game.room.join {"name": "never sent"}');
    const run = await runCli(['--proto', PROTO, '--types', TYPES, '--file', file, url]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`error: game.room.full: PIT-555 room is full {"room":"lobby"}\nstopped at ${file}:1\n`);
    expect(run.stdout).not.toContain('never sent');
  });

  it('says which type is missing and how to give it, for a route without one', async () => {
    const file = commands('request game.room.leave {}');
    const run = await runCli(['--proto', PROTO, '--types', TYPES, '--file', file, url]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('no protobuf request type for game.room.leave');
    expect(run.stderr).toContain('--proto and --types');
  });

  it('fails at once on a connection refused, and on a type the .proto files lack', async () => {
    const refused = await runCli(['--file', commands('request a.b.c {}'), 'tcp://127.0.0.1:1']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/error: cannot connect to tcp:\/\/127\.0\.0\.1:1.*\nstopped at the command line\n/);

    const types = path.join(dir, 'types.json');
    fs.writeFileSync(types, JSON.stringify({ pushes: { onEvent: 'game.Nothing' } }));
    const badType = await runCli(['--proto', PROTO, '--types', types, '--file', commands('help')]);
    expect(badType.code).toBe(2);
    expect(badType.stderr).toBe('pitaya-cli: no message type game.Nothing in the .proto files\n');
  });
});
