// A server of the forwarded path, in its own process:
// - `connector`: a pitaya-ts frontend (WebSocket, and TCP on a second port) that forwards `room.*`
//   over NATS, etcd discovery;
// - `room`: a pitaya-ts backend whose handler `room.echo.say` returns its body;
// - `bare-front`: the baseline frontend: `ws` (and `net` on a second port) and the codec, one plain
//   nats.js request per client request, the message body as the NATS payload and the reply as the
//   response body (nats.js with `noAsyncTraces`, as the framework's connections: no stack captured
//   per request);
// - `bare-echo`: the baseline backend: a NATS subscription that replies with the payload;
// - `connector-grpc`, `room-grpc`: the pitaya-ts servers with RPC over gRPC instead of NATS, under
//   an etcd prefix of their own (servers on NATS and on gRPC cannot call each other).
// The orchestrator calls `start` with the addresses of NATS and etcd, and `shutdown` before it stops
// the process, so that the servers leave etcd as they would in production.
import * as net from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { TextEncoder } from 'node:util';
import { connect } from '@nats-io/transport-node';
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
import { bootstrap, Handler, Request, TcpAcceptor, TOKENS, WsAcceptor } from '@pitaya-ts/core';
import { etcdDiscoveryModule } from '@pitaya-ts/etcd';
import { grpcRpcModule } from '@pitaya-ts/grpc';
import { natsRpcModule } from '@pitaya-ts/nats';
import { tracingModule } from '@pitaya-ts/tracing';
import { WebSocketServer } from 'ws';
import { serve } from './ipc.mjs';
import { FORWARD_SUBJECT } from './routes.mjs';

const kind = process.argv[2];

const grpc = kind.endsWith('-grpc');

/** `pitaya.*` values common to both pitaya-ts servers. */
const clusterConfig = ({ natsUrl, etcdEndpoint, prefix, dispatch, pipeline }) => ({
  ...(grpc
    ? {
        'pitaya.cluster.rpc.server.grpc.port': 0,
        'pitaya.cluster.rpc.server.grpc.host': '127.0.0.1',
        'pitaya.cluster.sd.etcd.prefix': `${prefix}grpc/`,
      }
    : { 'pitaya.cluster.sd.etcd.prefix': prefix }),
  // not the warnings of the NATS restart run ("NATS connection lost"): its counts tell the story
  'pitaya.log.level': 'error',
  'pitaya.cluster.rpc.client.nats.connect': natsUrl,
  'pitaya.cluster.rpc.server.nats.connect': natsUrl,
  'pitaya.cluster.sd.etcd.endpoints': etcdEndpoint,
  'pitaya.cluster.sd.etcd.shutdown.delay': '0ms',
  // up to 1000 forwarded requests in flight at once: room for them to wait rather than be refused
  // (the defaults, 30 processed and 75 waiting, refuse the rest with PIT-500 by design)
  'pitaya.buffer.cluster.rpc.server.nats.messages': 2000,
  ...(dispatch ? { 'pitaya.concurrency.handler.dispatch': dispatch } : {}),
  ...(pipeline ? { 'pitaya.concurrency.handler.pipeline': pipeline } : {}),
});

/** The providers of both pitaya-ts servers; `tracing`: @pitaya-ts/tracing, on or off, exporting over OTLP. */
function providers({ tracing }) {
  const cluster = [grpc ? grpcRpcModule() : natsRpcModule(), etcdDiscoveryModule()];
  if (!tracing) return cluster;
  // the Node SDK reads these; the room follows the connector's sampling decision (parent based)
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = tracing.endpoint;
  process.env.OTEL_TRACES_SAMPLER = 'parentbased_traceidratio';
  process.env.OTEL_TRACES_SAMPLER_ARG = String(tracing.ratio ?? 1);
  return [...cluster, tracingModule()];
}

const tracingConfig = ({ tracing }) => (tracing ? { 'pitaya.tracing.enabled': tracing.enabled } : {});

async function startConnector(options) {
  const acceptor = new WsAcceptor({ host: '127.0.0.1', port: 0 });
  const tcpAcceptor = new TcpAcceptor({ host: '127.0.0.1', port: 0 });
  const app = await bootstrap({
    serverType: 'connector',
    acceptors: [acceptor, tcpAcceptor],
    providers: providers(options),
    handleSignals: false,
    config: { ...clusterConfig(options), ...tracingConfig(options) },
  });
  await app.start();
  const discovery = app.container.get(TOKENS.ServiceDiscovery);
  return {
    port: acceptor.address().port,
    tcpPort: tcpAcceptor.address().port,
    /** Resolves once discovery lists `count` servers of `type` (bounded wait). */
    async sees({ type, count, timeoutMs = 30_000 }) {
      const deadline = performance.now() + timeoutMs;
      while (discovery.getServersByType(type).length < count) {
        if (performance.now() > deadline) throw new Error(`the connector does not see ${count} ${type} server(s)`);
        await sleep(50);
      }
      return discovery.getServersByType(type).length;
    },
    stop: () => app.stop(),
  };
}

async function startRoom(options) {
  class EchoHandler {
    say(body) {
      return body;
    }
  }
  // the decorators, applied by hand (plain JavaScript)
  Handler('echo')(EchoHandler);
  Request(Object)(EchoHandler.prototype, 'say', Object.getOwnPropertyDescriptor(EchoHandler.prototype, 'say'));
  const app = await bootstrap({
    serverType: 'room',
    handlers: [EchoHandler],
    providers: providers(options),
    handleSignals: false,
    config: { ...clusterConfig(options), ...tracingConfig(options) },
  });
  await app.start();
  return { stop: () => app.stop() };
}

async function startBareFront({ natsUrl }) {
  const nc = await connect({ servers: natsUrl, name: 'bench bare frontend', noAsyncTraces: true });
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise((resolve) => wss.once('listening', resolve));
  const handshakeReply = encodePacket(PacketType.Handshake, encodeHandshakeResponse(defaultHandshakeResponse()));
  const failed = new TextEncoder().encode(JSON.stringify({ code: 'PIT-500', msg: 'NATS request failed' }));
  /** Answers one packet through `send`: the handshake, or a request forwarded over NATS. */
  const answer = (packet, send) => {
    if (packet.type === PacketType.Handshake) send(handshakeReply);
    if (packet.type !== PacketType.Data) return;
    const message = decodeMessage(packet.body);
    if (message.type !== MessageType.Request) return;
    const respond = (body, error) =>
      send(encodeDataPacket({ type: MessageType.Response, id: message.id, route: '', body, error }));
    nc.request(FORWARD_SUBJECT, message.body, { timeout: 5000 }).then(
      (reply) => respond(reply.data, false),
      () => respond(failed, true),
    );
  };
  wss.on('connection', (ws) => {
    const send = (bytes) => ws.send(bytes);
    ws.on('message', (data) => {
      for (const packet of decodePackets(data)) answer(packet, send);
    });
  });
  const sockets = new Set();
  const tcp = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.setNoDelay(true);
    const decoder = new PacketStreamDecoder();
    const send = (bytes) => socket.write(bytes);
    socket.on('data', (chunk) => {
      for (const packet of decoder.push(chunk)) answer(packet, send);
    });
    socket.on('error', () => socket.destroy());
  });
  await new Promise((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  return {
    port: wss.address().port,
    tcpPort: tcp.address().port,
    async stop() {
      for (const ws of wss.clients) ws.terminate();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => wss.close(resolve));
      await new Promise((resolve) => tcp.close(resolve));
      await nc.drain();
    },
  };
}

async function startBareEcho({ natsUrl }) {
  const nc = await connect({ servers: natsUrl, name: 'bench bare responder', noAsyncTraces: true });
  nc.subscribe(FORWARD_SUBJECT, {
    callback: (err, msg) => {
      if (!err) msg.respond(msg.data);
    },
  });
  await nc.flush();
  return { stop: () => nc.drain() };
}

const starters = {
  connector: startConnector,
  room: startRoom,
  'connector-grpc': startConnector,
  'room-grpc': startRoom,
  'bare-front': startBareFront,
  'bare-echo': startBareEcho,
};
if (!starters[kind]) throw new Error(`unknown server kind ${kind}`);
let server;

serve({
  async start(options) {
    server = await starters[kind](options);
    return { port: server.port, tcpPort: server.tcpPort };
  },
  sees: (args) => server.sees(args),
  /** A graceful stop (etcd deregistration, NATS drained); the orchestrator then ends the process. */
  async shutdown() {
    await server?.stop();
    server = undefined;
    return true;
  },
});
