import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { connect, type PitayaClient } from '@pitaya-ts/client';
import { spawnChat, type ChatProcess } from '../../../apps/chat/test/chat-process';
import { Terminal } from './terminal';

const CLI_MAIN = path.resolve(__dirname, '../dist/main.js');

/** The next push of a route, as the test's own client receives it. */
function nextPush(client: PitayaClient, route: string): Promise<unknown> {
  return new Promise((resolve) => {
    const stop = client.on(route, (body) => {
      stop();
      resolve(body);
    });
  });
}

describe('pitaya-cli in a terminal, against the chat demo', () => {
  let chat: ChatProcess;
  let dir: string;
  const terminals: Terminal[] = [];
  const clients: PitayaClient[] = [];

  const repl = (...args: string[]) => {
    const terminal = new Terminal([process.execPath, CLI_MAIN, '--history', path.join(dir, 'history'), ...args]);
    terminals.push(terminal);
    return terminal;
  };

  beforeAll(async () => {
    chat = await spawnChat();
  }, 90_000);

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pitaya-cli-'));
  });

  afterEach(async () => {
    for (const terminal of terminals.splice(0)) terminal.kill();
    await Promise.all(clients.splice(0).map((client) => client.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  afterAll(() => chat?.kill());

  it('connects, completes commands and dictionary routes, requests, notifies and prints pushes as they come', async () => {
    const term = repl();
    await term.waitFor('>>> ');
    term.type(`connect ${chat.url('ws')}\r`);
    await term.waitFor(`connected to ${chat.url('ws')} (json, 6 routes in the dictionary)`);
    await term.waitFor('>>> ');

    // Tab completes the command, then the route from the handshake dictionary
    term.type('req\t');
    await term.waitFor('request ');
    term.type('chat.room.j\t');
    await term.waitFor('chat.room.join');
    term.type(' {"name": "ana"}\r');
    await term.waitFor('response chat.room.join: {"members":["ana"]}');
    await term.waitFor('>>> ');

    // pushes are printed while the REPL waits for input
    const bo = await connect(chat.url('tcp'));
    clients.push(bo);
    await bo.request('chat.room.join', { name: 'bo' });
    await term.waitFor('push onJoin: {"name":"bo"}');
    const echo = nextPush(bo, 'onMessage'); // the sender hears its own message too
    bo.notify('chat.room.send', { text: 'hello ana' });
    await term.waitFor('push onMessage: {"from":"bo","text":"hello ana"}');
    await expect(echo).resolves.toEqual({ from: 'bo', text: 'hello ana' });

    const heard = nextPush(bo, 'onMessage');
    term.type('notify chat.room.send {"text": "hi bo"}\r');
    await term.waitFor('notified chat.room.send');
    await expect(heard).resolves.toEqual({ from: 'ana', text: 'hi bo' });

    // error answers are printed with code, message and metadata; the REPL goes on
    term.type('request chat.room.join {"name": ""}\r');
    await term.waitFor(/error: chat\.room\.join: PIT-400 .*name must be longer/);
    term.type('request chat.nowhere.at {}\r');
    await term.waitFor('error: chat.nowhere.at: PIT-404');
    term.type('request chat.room.join {oops\r');
    await term.waitFor('error: the body is not JSON');
    term.type('dance\r');
    await term.waitFor('unknown command dance: try help');

    term.type('disconnect\r');
    await term.waitFor(/\ndisconnected\n/);
    term.type('request chat.room.join {}\r');
    await term.waitFor('error: not connected: connect <url> first');
    term.type('exit\r');
    await expect(term.exited).resolves.toBe(0);
  });

  it('sends the handshake set with sethandshake, and lists the commands', async () => {
    const term = repl();
    await term.waitFor('>>> ');
    term.type('help\r');
    const help = await term.waitFor('exit');
    for (const command of ['connect', 'request', 'notify', 'push', 'sethandshake', 'disconnect', 'routes']) {
      expect(help).toContain(command);
    }
    term.type('sethandshake {"user": 1}\r');
    await term.waitFor('error: the handshake is {"sys": {...}, "user": {...}}');
    term.type('sethandshake {"sys": {"platform": "repl"}, "user": {"name": "cy"}}\r');
    await term.waitFor('handshake set');
    term.type(`connect ${chat.url('tcp')}\r`);
    await term.waitFor('connected to');
    term.type('routes\r');
    await term.waitFor('chat.room.join\nchat.room.leave\nchat.room.send\nonJoin\nonLeave\nonMessage');
    term.type('\x04'); // Ctrl-D leaves too
    await expect(term.exited).resolves.toBe(0);
  });

  it('keeps its history between runs: the up arrow brings back the last commands', async () => {
    const first = repl(chat.url('ws'));
    await first.waitFor('connected to');
    first.type('request chat.room.join {"name": "dee"}\r');
    await first.waitFor('response chat.room.join');
    first.type('exit\r');
    await expect(first.exited).resolves.toBe(0);
    expect(fs.readFileSync(path.join(dir, 'history'), 'utf8')).toBe('request chat.room.join {"name": "dee"}\nexit\n');

    const second = repl(chat.url('ws'));
    await second.waitFor('connected to');
    await second.waitFor('>>> ');
    second.type('\x1b[A\x1b[A'); // past "exit", to the request
    await second.waitFor('>>> request chat.room.join {"name": "dee"}');
    second.type('\r');
    await second.waitFor('response chat.room.join: {"members":["dee"]}');
    second.type('exit\r');
    await expect(second.exited).resolves.toBe(0);
  });
});
