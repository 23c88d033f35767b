import 'reflect-metadata';
import * as fs from 'node:fs';
import {
  clientPeer,
  closeAll,
  endpoint,
  join,
  peer,
  pinusPeer,
  serverOf,
  startChat,
  TRANSPORTS,
  withTimeout,
  type ChatServer,
  type Peer,
} from './helpers';
import { CHAT_MAIN, logLines, spawnChat, type ChatProcess } from './chat-process';
import { PinusClient } from './pinus-client';

describe('the chat server process', () => {
  let child: ChatProcess | undefined;

  afterEach(() => {
    child?.kill();
    child = undefined;
  });

  it('stops gracefully on SIGTERM: clients closed, exit code 0, "server stopped" logged', async () => {
    expect(fs.existsSync(CHAT_MAIN)).toBe(true); // built by `npm test`, or `npx tsc -b apps/chat`
    child = await spawnChat();
    const server = endpoint(child.ports);
    const ana = await clientPeer(server, 'ws');
    const bob = await pinusPeer(server, 'tcp');
    await expect(join(ana, 'ana')).resolves.toEqual(['ana']);
    await expect(join(bob, 'bob')).resolves.toEqual(['ana', 'bob']);

    child.process.kill('SIGTERM');
    await withTimeout(Promise.all([ana.closed, bob.closed]), 10_000, 'the clients to be closed');
    await expect(withTimeout(child.exited, 10_000, 'the process to exit')).resolves.toEqual({ code: 0, signal: null });
    expect(ana.closeReason?.code).toBe('TRANSPORT_CLOSED');

    const messages = logLines(child).map((line) => line.msg);
    expect(messages).toContain('shutting down');
    expect(messages).toContain('server stopped');
    expect(logLines(child).find((line) => line.msg === 'shutting down')).toMatchObject({ signal: 'SIGTERM' });
    // the ports are free again
    await expect(PinusClient.connect('tcp', server.port('tcp'), { timeout: 1000 })).rejects.toThrow();
  }, 90_000);
});

describe.each(TRANSPORTS)('app.stop() over %s', (transport) => {
  let server: ChatServer;
  let peers: Peer[] = [];

  afterEach(async () => {
    await closeAll(...peers);
    peers = [];
    await server.stop();
  });

  it('answers a request in flight, then closes every connection', async () => {
    server = await startChat();
    // hold the join handler at its last step until the test lets it go
    const groups = server.app.groups;
    const members = groups.members.bind(groups);
    let release!: () => void;
    let entered!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    let holding = false;
    groups.members = async (name) => {
      if (holding) {
        entered();
        await gate;
      }
      return members(name);
    };

    const bob = await peer(server, 'pinus', transport);
    const ana = await peer(server, 'client', transport);
    peers.push(bob, ana);
    await join(bob, 'bob');
    holding = true;
    const port = server.port(transport);
    const answer = join(ana, 'ana');
    await withTimeout(inHandler, 10_000, 'the join to reach the handler');

    let stopped = false;
    const stopping = server.stop().then(() => (stopped = true));
    // new connections are refused at once, while the request is still held
    await expect(PinusClient.connect(transport, port, { timeout: 1000 })).rejects.toThrow();
    // the stop goes on meanwhile: nothing more is read, but both connections still carry pushes
    const pushes = [bob, ana].map((p) => p.nextPush('onMessage'));
    await server.app.groups.broadcast('room', 'onMessage', { from: 'server', text: 'still here' });
    for (const push of pushes) await expect(push).resolves.toEqual({ from: 'server', text: 'still here' });
    expect(stopped).toBe(false);
    expect(ana.isClosed || bob.isClosed).toBe(false);

    release();
    await expect(answer).resolves.toEqual(['bob', 'ana']);
    await withTimeout(stopping, 10_000, 'the stop');
    await withTimeout(Promise.all([ana.closed, bob.closed]), 10_000, 'the connections to close');
  });

  it('stops with no client connected, and again without effect', async () => {
    server = await startChat();
    const port = server.port(transport);
    await server.stop();
    await server.stop();
    expect(server.app.running).toBe(false);
    await expect(PinusClient.connect(transport, port, { timeout: 1000 })).rejects.toThrow();
    server = serverOf(server.app); // afterEach stops it once more: still harmless
  });
});
