// A benchmark server in its own process: `pitaya` (the framework), `bare` (ws + the codec only,
// the floor) or `bare-json` (the floor that also parses and stringifies each request's body: the
// least any server with JSON bodies does). All answer the same handshake, echo requests, and broadcast the same push bytes to a
// group, on a WebSocket port and, for the echo, on a TCP port (Pitaya's packets on the socket).
import { Buffer } from 'node:buffer';
import * as net from 'node:net';
import { setImmediate } from 'node:timers';
import { TextDecoder, TextEncoder } from 'node:util';
import {
  decodeMessage,
  decodePackets,
  defaultHandshakeResponse,
  encodeDataPacket,
  encodeHandshakeResponse,
  encodePacket,
  MessageType,
  PacketStreamDecoder,
  PacketType,
} from '@pitaya-ts/protocol';
import { bootstrap, Handler, Request, TcpAcceptor, WsAcceptor } from '@pitaya-ts/core';
import { WebSocketServer } from 'ws';
import { serve } from './ipc.mjs';
import { GROUP, JOIN_ROUTE, PUSH_ROUTE } from './routes.mjs';

const PUSH_TEXT = 'a message for everyone in the group';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A JSON body parsed and written again, into a buffer from Node's pool (as pitaya's serializer does). */
const reencoded = (body) => Buffer.from(JSON.stringify(JSON.parse(decoder.decode(body))));

/**
 * Starts the server; resolves with its ports (`port`: WebSocket, `tcpPort`) and `broadcast(n)`,
 * which sends push number n to the group.
 */
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
  Handler('entryHandler')(EchoHandler);
  for (const method of ['echo', 'join']) {
    Request(Object)(EchoHandler.prototype, method, Object.getOwnPropertyDescriptor(EchoHandler.prototype, method));
  }
  const acceptor = new WsAcceptor({ host: '127.0.0.1', port: 0 });
  const tcpAcceptor = new TcpAcceptor({ host: '127.0.0.1', port: 0 });
  app = await bootstrap({
    serverType: 'connector',
    handlers: [EchoHandler],
    acceptors: [acceptor, tcpAcceptor],
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
    tcpPort: tcpAcceptor.address().port,
    broadcast: (n) => void app.groups.broadcast(GROUP, PUSH_ROUTE, { n, text: PUSH_TEXT }),
  };
}

/** `json`: each echoed body goes through JSON.parse and JSON.stringify, as a JSON handler's would. */
async function startBare({ json = false } = {}) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise((resolve) => wss.once('listening', resolve));
  const handshakeReply = encodePacket(PacketType.Handshake, encodeHandshakeResponse(defaultHandshakeResponse()));
  const joined = encoder.encode(JSON.stringify({ ok: true }));
  const members = new Set();
  /** Answers one packet through `send` (the handshake, an echo or a join). */
  const answer = (packet, send, member) => {
    if (packet.type === PacketType.Handshake) send(handshakeReply);
    if (packet.type !== PacketType.Data) return;
    const message = decodeMessage(packet.body);
    if (message.type !== MessageType.Request) return;
    const join = message.route === JOIN_ROUTE;
    if (join && member) members.add(member);
    const body = join ? joined : json ? reencoded(message.body) : message.body;
    send(encodeDataPacket({ type: MessageType.Response, id: message.id, route: '', body, error: false }));
  };
  wss.on('connection', (ws) => {
    const send = (bytes) => ws.send(bytes);
    ws.on('message', (data) => {
      for (const packet of decodePackets(data)) answer(packet, send, ws);
    });
    ws.on('close', () => members.delete(ws));
  });
  // TCP: the answers to one read leave in one write (corked), as pipelined requests come in one read
  const tcp = net.createServer((socket) => {
    socket.setNoDelay(true);
    const decoder = new PacketStreamDecoder();
    const send = (bytes) => socket.write(bytes);
    socket.on('data', (chunk) => {
      socket.cork();
      for (const packet of decoder.push(chunk)) answer(packet, send, undefined);
      socket.uncork();
    });
    socket.on('error', () => socket.destroy());
  });
  await new Promise((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  return {
    port: wss.address().port,
    tcpPort: tcp.address().port,
    broadcast(n) {
      const body = encoder.encode(JSON.stringify({ n, text: PUSH_TEXT }));
      const packet = encodeDataPacket({ type: MessageType.Push, id: 0, route: PUSH_ROUTE, body, error: false });
      for (const ws of members) ws.send(packet);
    },
  };
}

const kind = process.argv[2];
const server = await (kind === 'pitaya' ? startPitaya() : startBare({ json: kind === 'bare-json' }));

serve({
  port: () => server.port,
  ports: () => ({ ws: server.port, tcp: server.tcpPort }),
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
