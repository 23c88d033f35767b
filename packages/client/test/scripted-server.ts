import * as fs from 'node:fs';
import * as https from 'node:https';
import * as net from 'node:net';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  decodeHandshakeRequest,
  decodeMessage,
  decodePackets,
  encodeDataPacket,
  encodeHandshakeResponse,
  encodePacket,
  heartbeatPacket,
  kickPacket,
  MessageType,
  PacketStreamDecoder,
  PacketType,
  RouteDictionary,
  type HandshakeRequest,
  type HandshakeResponse,
  type Message,
  type Packet,
} from '@pitaya-ts/protocol';

export type TransportKind = 'ws' | 'tcp' | 'wss' | 'tls';

/** A self-signed certificate for localhost and 127.0.0.1, for the TLS variants. */
export const testCertificate = {
  cert: fs.readFileSync(path.join(__dirname, 'fixtures/test-cert.pem')),
  key: fs.readFileSync(path.join(__dirname, 'fixtures/test-key.pem')),
};

export interface ScriptOptions {
  /** The handshake reply; `null` never answers the handshake. */
  handshake?: HandshakeResponse | null;
  /** Answers requests automatically; return undefined to leave a request unanswered. */
  onRequest?: (message: Message, connection: ScriptedConnection) => Uint8Array | undefined;
}

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

/** One client connection, as the server sees it; the test drives it by hand. */
export class ScriptedConnection {
  handshake: HandshakeRequest | undefined;
  readonly packets: Packet[] = [];
  closed = false;
  private waiters: { test: (p: Packet) => boolean; resolve: (p: Packet) => void }[] = [];
  private readonly dictionary: RouteDictionary | undefined;
  private closeListeners: (() => void)[] = [];

  constructor(
    readonly write: (bytes: Uint8Array) => void,
    readonly destroy: () => void,
    private readonly options: ScriptOptions,
  ) {
    const dict = options.handshake?.sys?.dict;
    this.dictionary = dict ? new RouteDictionary(dict) : undefined;
  }

  receive(packet: Packet): void {
    this.packets.push(packet);
    if (packet.type === PacketType.Handshake) {
      this.handshake = decodeHandshakeRequest(packet.body);
      if (this.options.handshake !== null) {
        const reply = this.options.handshake ?? { code: 200, sys: { heartbeat: 30, dict: {}, serializer: 'json' } };
        this.write(encodePacket(PacketType.Handshake, encodeHandshakeResponse(reply)));
      }
    }
    if (packet.type === PacketType.Data && this.options.onRequest) {
      const message = this.decode(packet);
      if (message.type === MessageType.Request) {
        const body = this.options.onRequest(message, this);
        if (body) this.respond(message.id, body);
      }
    }
    this.waiters = this.waiters.filter((w) => (w.test(packet) ? (w.resolve(packet), false) : true));
  }

  onClosed(): void {
    this.closed = true;
    for (const listener of this.closeListeners) listener();
  }

  whenClosed(): Promise<void> {
    return this.closed ? Promise.resolve() : new Promise((resolve) => this.closeListeners.push(resolve));
  }

  /** The next packet of a type, including one already received and not yet taken. */
  nextPacket(type: PacketType, after = 0): Promise<Packet> {
    const seen = this.packets.slice(after).find((p) => p.type === type);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ test: (p) => p.type === type, resolve }));
  }

  /** Waits for the nth Data message (0-based) and decodes it. */
  async message(n: number): Promise<Message> {
    for (;;) {
      const data = this.packets.filter((p) => p.type === PacketType.Data);
      if (data.length > n) return this.decode(data[n]!);
      await new Promise<Packet>((resolve) => this.waiters.push({ test: (p) => p.type === PacketType.Data, resolve }));
    }
  }

  decode(packet: Packet): Message {
    return decodeMessage(packet.body, { dictionary: this.dictionary });
  }

  respond(id: number, body: Uint8Array, options: { error?: boolean; compress?: boolean } = {}): void {
    const message: Message = { type: MessageType.Response, id, route: '', body, error: options.error ?? false };
    this.write(encodeDataPacket(message, { compress: options.compress }));
  }

  respondJson(id: number, value: unknown): void {
    this.respond(id, json(value));
  }

  push(route: string, body: Uint8Array, options: { compress?: boolean } = {}): void {
    const message: Message = { type: MessageType.Push, id: 0, route, body, error: false };
    this.write(encodeDataPacket(message, { dictionary: this.dictionary, compress: options.compress }));
  }

  heartbeat(): void {
    this.write(heartbeatPacket());
  }

  kick(reason?: string): void {
    this.write(kickPacket(reason));
    this.destroy();
  }
}

/** A server the test scripts packet by packet, over WebSocket or TCP. */
export class ScriptedServer {
  readonly connections: ScriptedConnection[] = [];
  private waiters: ((c: ScriptedConnection) => void)[] = [];

  private constructor(
    readonly url: string,
    private readonly shutdown: () => Promise<void>,
    private readonly sockets: Set<{ destroy(): void }>,
  ) {}

  static async start(kind: TransportKind, options: ScriptOptions = {}): Promise<ScriptedServer> {
    const sockets = new Set<{ destroy(): void }>();
    let server!: ScriptedServer;
    const accept = (write: (b: Uint8Array) => void, destroy: () => void) => {
      const connection = new ScriptedConnection(write, destroy, options);
      server.connections.push(connection);
      for (const waiter of server.waiters.splice(0)) waiter(connection);
      return connection;
    };

    if (kind === 'ws' || kind === 'wss') {
      const web = kind === 'wss' ? https.createServer(testCertificate) : undefined;
      const wss = web ? new WebSocketServer({ server: web }) : new WebSocketServer({ host: '127.0.0.1', port: 0 });
      if (web) await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
      else await new Promise((resolve) => wss.once('listening', resolve));
      wss.on('connection', (socket: WebSocket) => {
        const handle = { destroy: () => socket.terminate() };
        sockets.add(handle);
        const connection = accept((b) => socket.send(b), handle.destroy);
        socket.on('message', (data: Buffer) => decodePackets(data).forEach((p) => connection.receive(p)));
        socket.on('close', () => {
          sockets.delete(handle);
          connection.onClosed();
        });
      });
      const { port } = (web ?? wss).address() as net.AddressInfo;
      const shutdown = () => new Promise<void>((r) => wss.close(() => (web ? web.close(() => r()) : r())));
      server = new ScriptedServer(`${kind}://127.0.0.1:${port}`, shutdown, sockets);
    } else {
      const onSocket = (socket: net.Socket) => {
        sockets.add(socket);
        const decoder = new PacketStreamDecoder();
        const connection = accept(
          (b) => void socket.write(b),
          () => socket.destroy(),
        );
        socket.on('data', (chunk) => decoder.push(chunk).forEach((p) => connection.receive(p)));
        socket.on('error', () => undefined);
        socket.on('close', () => {
          sockets.delete(socket);
          connection.onClosed();
        });
      };
      const tcp = kind === 'tls' ? tls.createServer(testCertificate, onSocket) : net.createServer(onSocket);
      await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
      const { port } = tcp.address() as net.AddressInfo;
      server = new ScriptedServer(
        `${kind}://127.0.0.1:${port}`,
        () => new Promise((r) => tcp.close(() => r())),
        sockets,
      );
    }
    return server;
  }

  /** The nth connection (0-based), once it exists. */
  connection(n = 0): Promise<ScriptedConnection> {
    if (this.connections[n]) return Promise.resolve(this.connections[n]);
    return new Promise((resolve) => {
      const check = () => (this.connections[n] ? resolve(this.connections[n]) : this.waiters.push(check));
      this.waiters.push(check);
    });
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await this.shutdown();
  }
}
