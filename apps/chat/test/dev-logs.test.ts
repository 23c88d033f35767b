import { connect } from '@pitaya-ts/client';
import { Terminal } from '../../../packages/cli/test/terminal';
import { CHAT_MAIN } from './chat-process';

// The demo as a developer runs it: in a terminal, where the log is for reading, not for a collector
describe('the chat server in a terminal', () => {
  let terminal: Terminal | undefined;
  afterEach(() => terminal?.kill());

  it('logs pretty lines: the routes at start-up, then a line per connection and per request', async () => {
    terminal = new Terminal([process.execPath, CHAT_MAIN, '--port', '0', '--tcp-port', '0'], {
      PITAYA_LOG_LEVEL: 'debug',
    });
    const started = await terminal.waitFor(/server started[^]*chat\.room\.join/, 20_000);
    // pino-pretty's shape: time, level name, message; then the fields one per line
    expect(started).toMatch(/\[\d\d:\d\d:\d\d\.\d{3}\] INFO: acceptor listening/);
    expect(started).not.toContain('{"level"');
    const port = Number(/protocol: "ws"\s+address: \{\s+"host": "127\.0\.0\.1",\s+"port": (\d+)/.exec(started)![1]);

    const client = await connect(`ws://127.0.0.1:${port}`);
    await client.request('chat.room.join', { name: 'ana' });
    await client.close();
    await terminal.waitFor(
      /DEBUG: connection\n[^]*DEBUG: request\n(\s+\w+: .*\n)*?\s+uid: "ana"\n\s+route: "chat.room.join"/,
    );
    await terminal.waitFor(/DEBUG: connection closed/);
  });
});
