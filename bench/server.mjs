// A benchmark server in its own process: `pitaya` (the framework) or `bare` (ws + the codec only).
// Both answer the same handshake, echo requests, and broadcast the same push bytes to a group.
import { setImmediate } from 'node:timers';
import { TextEncoder } from 'node:util';
import {
  decodeMessage,
  decodePackets,
  defaultHandshakeResponse,
  encodeDataPacket,
  encodeHandshakeResponse,
  encodePacket,
  MessageType,
  PacketType,
} from '@pitaya-ts/protocol';
import { bootstrap, Handler, Request, WsAcceptor } from '@pitaya-ts/core';
import { WebSocketServer } from 'ws';
import { serve } from './ipc.mjs';
import { GROUP, JOIN_ROUTE, PUSH_ROUTE } from './routes.mjs';

const PUSH_TEXT = 'a message for everyone in the group';
const encoder = new TextEncoder();

/** Starts the server; resolves with its port and `broadcast(n)`, which sends push number n to the group. */
async function startPitaya() {
  let app;
  class EchoHandler {
    async init() {
      await app.groups.create(GROUP);
    }
    echo(body) {
      return body;
    }
    async join(_body, { session }) {
      const uid = String(session.id);
      await session.bind(uid);
      await app.groups.addMember(GROUP, uid);
      return { ok: true };
    }
  }
  // the decorators, applied by hand (plain JavaScript)
  Handler('echo')(EchoHandler);
  for (const method of ['echo', 'join']) {
    Request()(EchoHandler.prototype, method, Object.getOwnPropertyDescriptor(EchoHandler.prototype, method));
  }
  const acceptor = new WsAcceptor({ host: '127.0.0.1', port: 0 });
  app = await bootstrap({
    serverType: 'bench',
    handlers: [EchoHandler],
    acceptors: [acceptor],
    handleSignals: false,
    config: {
      'pitaya.log.level': 'warn',
      // the load generator's clients send no heartbeats: a section that outlasts two intervals (a
      // busy machine makes it wait for quiet seconds) would otherwise lose them all
      'pitaya.heartbeat.interval': '1h',
      // a broadcast burst is queued for slow readers rather than dropped, like the bare server's writes
      'pitaya.buffer.agent.messages': 1_000_000,
    },
  });
  await app.start();
  return {
    port: acceptor.address().port,
    broadcast: (n) => void app.groups.broadcast(GROUP, PUSH_ROUTE, { n, text: PUSH_TEXT }),
  };
}

async function startBare() {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise((resolve) => wss.once('listening', resolve));
  const handshakeReply = encodePacket(PacketType.Handshake, encodeHandshakeResponse(defaultHandshakeResponse()));
  const joined = encoder.encode(JSON.stringify({ ok: true }));
  const members = new Set();
  wss.on('connection', (ws) => {
    ws.on('message', (data) => {
      for (const packet of decodePackets(data)) {
        if (packet.type === PacketType.Handshake) ws.send(handshakeReply);
        if (packet.type !== PacketType.Data) continue;
        const message = decodeMessage(packet.body);
        if (message.type !== MessageType.Request) continue;
        const join = message.route === JOIN_ROUTE;
        if (join) members.add(ws);
        const body = join ? joined : message.body;
        ws.send(encodeDataPacket({ type: MessageType.Response, id: message.id, route: '', body, error: false }));
      }
    });
    ws.on('close', () => members.delete(ws));
  });
  return {
    port: wss.address().port,
    broadcast(n) {
      const body = encoder.encode(JSON.stringify({ n, text: PUSH_TEXT }));
      const packet = encodeDataPacket({ type: MessageType.Push, id: 0, route: PUSH_ROUTE, body, error: false });
      for (const ws of members) ws.send(packet);
    },
  };
}

const kind = process.argv[2];
const server = await (kind === 'pitaya' ? startPitaya() : startBare());

serve({
  port: () => server.port,
  /** Heap and RSS after a full collection (run with --expose-gc). */
  memory() {
    for (let i = 0; i < 3; i++) globalThis.gc?.();
    const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
    return { rss, heapUsed, external, arrayBuffers };
  },
  /** Broadcasts `count` pushes, `perTurn` of them per event-loop turn; resolves once all are sent. */
  broadcast({ count, perTurn }) {
    return new Promise((resolve) => {
      let sent = 0;
      const turn = () => {
        for (let i = 0; i < perTurn && sent < count; i++) server.broadcast(sent++);
        if (sent < count) setImmediate(turn);
        else resolve(sent);
      };
      turn();
    });
  },
});
