import 'reflect-metadata';
import { Handler, RateLimitingAcceptor, TcpAcceptor, WsAcceptor, type Acceptor } from '@pitaya-ts/core';
import { Harness, captureLogger, waitFor, wsAcceptor } from './helpers';

@Handler('room')
class RoomHandler {
  join(): string {
    return 'joined';
  }
}

const harness = new Harness();
afterEach(() => harness.cleanup());

describe('what the log tells a developer', () => {
  it('lists the routes at start-up as clients call them', async () => {
    const { logger, lines } = captureLogger('info');
    await harness.server({ serverType: 'chat', handlers: [RoomHandler], logger });
    expect(lines.find((line) => line.msg === 'server started')).toMatchObject({
      routes: ['chat.room.join'],
      remotes: expect.arrayContaining(['chat.sys.bindsession']),
    });
  });

  it('writes a debug line per connection and per request', async () => {
    const { logger, lines } = captureLogger('debug');
    const client = await harness.client(await harness.server({ handlers: [RoomHandler], logger }));
    await client.request('game.room.join', {});
    await client.request('game.nowhere.at', {}).catch(() => undefined);
    await client.close();
    await waitFor(() => lines.some((line) => line.msg === 'connection closed'), 'the close line');

    const session = expect.any(Number);
    expect(lines.filter((line) => line.msg === 'connection')).toEqual([
      expect.objectContaining({ level: 20, session, protocol: 'ws', remote: expect.stringMatching(/^127\.0\.0\.1:/) }),
    ]);
    expect(lines.filter((line) => line.msg === 'request')).toEqual([
      expect.objectContaining({ level: 20, session, route: 'game.room.join', ms: expect.any(Number) }),
      expect.objectContaining({ level: 20, session, route: 'game.nowhere.at', code: 'PIT-404' }),
    ]);
  });

  it('warns at start-up of an acceptor open to other machines because no host was given', async () => {
    const { logger, lines } = captureLogger('info');
    const loopback = wsAcceptor(); // tests listen on loopback only: this one says it did not choose
    const defaulted: Acceptor = {
      protocol: 'ws',
      hostDefaulted: true,
      listen: (onConnection, settings) => loopback.listen(onConnection, settings),
      close: () => loopback.close(),
      address: () => loopback.address(),
    };
    await harness.server({ acceptors: [defaulted, wsAcceptor()], logger });
    const warnings = lines.filter((line) => line.level === 40);
    expect(warnings).toEqual([
      expect.objectContaining({ protocol: 'ws', msg: expect.stringContaining('listening on every network interface') }),
    ]);
  });

  it('knows which acceptors were given no host', () => {
    expect(new WsAcceptor({ port: 0 }).hostDefaulted).toBe(true);
    expect(new TcpAcceptor({ port: 0 }).hostDefaulted).toBe(true);
    expect(new RateLimitingAcceptor(new TcpAcceptor({ port: 0 })).hostDefaulted).toBe(true);
    expect(new WsAcceptor({ host: '0.0.0.0', port: 0 }).hostDefaulted).toBe(false);
    expect(new TcpAcceptor({ host: '127.0.0.1', port: 0 }).hostDefaulted).toBe(false);
  });
});
