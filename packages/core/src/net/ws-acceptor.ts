import * as http from 'node:http';
import * as https from 'node:https';
import type { Socket } from 'node:net';
import { PacketStreamDecoder, ProtocolError } from '@pitaya-ts/protocol';
import { WebSocketServer, type WebSocket } from 'ws';
import { AcceptDeadlines } from './accept-deadline';
import type { Acceptor, AcceptorSettings, ConnectionHandlers, PlayerConnection } from './acceptor';
import { addressOf, listen, readTls, type TlsFiles } from './listen';
import { EventOwners, ignoreEvent } from './event-owner';
import { PendingWrites } from './pending-writes';
import { WriteCoalescer, type HeldWrites } from './write-coalescer';

export interface WsAcceptorOptions {
  /** Every interface (0.0.0.0) by default, as Pitaya; 127.0.0.1 keeps it to this machine. */
  host?: string;
  port: number;
  tls?: TlsFiles;
  /**
   * Answers plain HTTP requests on the WebSocket's port (a page that opens the WebSocket, a health
   * check); without it they get 426 Upgrade Required. A handler that throws answers 500.
   */
  http?: (request: http.IncomingMessage, response: http.ServerResponse) => void;
}

/** The header of a server's WebSocket frame: FIN, binary, not masked (RFC 6455 §5.2). */
const wsFraming = {
  size: (length: number): number => (length < 126 ? 2 : length < 0x10000 ? 4 : 10),
  write(target: Buffer, offset: number, length: number): number {
    target[offset] = 0x82;
    if (length < 126) {
      target[offset + 1] = length;
      return offset + 2;
    }
    if (length < 0x10000) {
      target[offset + 1] = 126;
      target.writeUInt16BE(length, offset + 2);
      return offset + 4;
    }
    target[offset + 1] = 127;
    target.writeUInt32BE(Math.floor(length / 2 ** 32), offset + 2);
    target.writeUInt32BE(length >>> 0, offset + 6);
    return offset + 10;
  },
};

/** A client connection over WebSocket: one packet per binary frame out, frames read as a stream in. */
export class WebSocketConnection implements PlayerConnection, HeldWrites {
  readonly remoteAddress: string;
  private handlers: ConnectionHandlers | undefined;
  // Pitaya reads WebSocket frames as one stream, so a packet may span frames or share one
  private readonly decoder: PacketStreamDecoder;
  private readonly socket: Socket;
  private readonly pending: PendingWrites;
  private failed = false;
  private closing = false;
  private closeCode = 1000;

  constructor(
    private readonly ws: WebSocket,
    request: http.IncomingMessage,
    private readonly coalescer: WriteCoalescer,
    maxPacketSize: number,
  ) {
    this.socket = request.socket;
    // the frames ws.send would write (perMessageDeflate is off), but a read's answers in one
    // buffer and one write: ws's framing costs more than the copy
    this.pending = new PendingWrites(this.socket, wsFraming);
    this.remoteAddress = `${request.socket.remoteAddress}:${request.socket.remotePort}`;
    this.decoder = new PacketStreamDecoder({ maxPacketSize });
    this.socket.setNoDelay(true);
    // listeners shared by every connection (event-owner.ts): unbound on purpose, `this` is the emitter
    /* eslint-disable @typescript-eslint/unbound-method -- shared listeners read their connection from `this` */
    WebSocketConnection.owners.own(ws, this);
    WebSocketConnection.owners.own(this.socket, this);
    ws.on('message', WebSocketConnection.onMessage);
    this.socket.on('drain', WebSocketConnection.onSocketDrain);
    ws.on('error', ignoreEvent); // 'close' follows
    ws.on('close', WebSocketConnection.onClose);
    /* eslint-enable @typescript-eslint/unbound-method */
  }

  private static readonly owners = new EventOwners<WebSocketConnection>();

  private static readonly onMessage = function (this: object, data: Buffer, isBinary: boolean): void {
    WebSocketConnection.owners.of(this)?.onFrame(data, isBinary);
  };

  private static readonly onSocketDrain = function (this: object): void {
    WebSocketConnection.owners.of(this)?.handlers?.onDrain();
  };

  private static readonly onClose = function (this: object): void {
    WebSocketConnection.owners.of(this)?.handlers?.onClose();
  };

  setHandlers(handlers: ConnectionHandlers): void {
    this.handlers = handlers;
  }

  private onFrame(data: Buffer, isBinary: boolean): void {
    if (this.failed || this.closing) return;
    let packets;
    try {
      if (!isBinary) {
        this.closeCode = 1003; // unsupported data
        throw new ProtocolError('ERR_PACKET_TYPE', 'text frame: packets travel in binary frames');
      }
      packets = this.decoder.push(data);
    } catch (err) {
      // ignore what follows, but keep reading: the close handshake needs the client's close frame
      this.failed = true;
      this.handlers?.onProtocolError(err as ProtocolError);
      return;
    }
    for (const packet of packets) this.handlers?.onPacket(packet);
  }

  get needsDrain(): boolean {
    return this.socket.writableNeedDrain || this.pending.full;
  }

  write(packet: Uint8Array): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (this.pending.add(packet)) this.coalescer.hold(this);
  }

  flush(): void {
    // after ws's close frame (the client closed), data frames would break the protocol
    if (this.ws.readyState !== this.ws.OPEN) return this.pending.discard();
    if (this.pending.flush()) this.handlers?.onDrain();
  }

  pause(): void {
    this.ws.pause();
  }

  resume(): void {
    this.ws.resume();
  }

  close(): void {
    if (this.closing) return;
    this.closing = true;
    this.flush();
    // the close frame follows what was written; the frames the client sent meanwhile are read up
    // to its close frame and ignored, so the close handshake completes
    this.ws.close(this.closeCode);
    this.ws.resume();
    // a peer that never answers the close frame is cut off
    setTimeout(() => this.ws.terminate(), 1000).unref();
  }
}

function upgradeRequired(_request: http.IncomingMessage, response: http.ServerResponse): void {
  response.writeHead(426, { Connection: 'close', Upgrade: 'websocket' }).end();
}

/** Pitaya's WebSocket acceptor (any path), optionally TLS. */
export class WsAcceptor implements Acceptor {
  readonly protocol = 'ws';
  private server: http.Server | undefined;
  private wss: WebSocketServer | undefined;
  private readonly coalescer = new WriteCoalescer();

  constructor(private readonly options: WsAcceptorOptions) {}

  async listen(
    onConnection: (connection: PlayerConnection) => void,
    { maxPacketSize, handshakeTimeoutMs, maxHeaderSize }: AcceptorSettings,
  ): Promise<void> {
    const { tls: files } = this.options;
    const server = files
      ? https.createServer({ ...readTls(files), maxHeaderSize })
      : http.createServer({ maxHeaderSize });
    this.server = server;
    const deadlines = new AcceptDeadlines(handshakeTimeoutMs);
    server.on('connection', deadlines.accepted);
    // a frame cannot be larger than the largest packet. Not given the server: ws would re-emit its
    // errors, and a port in use would crash the process instead of failing listen()
    // not tracking its clients: the connection manager has them, and ws's set and close listener per client add up
    const wss = new WebSocketServer({
      noServer: true,
      maxPayload: maxPacketSize,
      perMessageDeflate: false,
      clientTracking: false,
    });
    this.wss = wss;
    server.on('upgrade', (request: http.IncomingMessage, socket: Socket, head: Buffer) =>
      wss.handleUpgrade(request, socket, head, (ws) => {
        deadlines.met(socket);
        onConnection(new WebSocketConnection(ws, request, this.coalescer, maxPacketSize));
      }),
    );
    const answer = this.options.http ?? upgradeRequired;
    server.on('request', (request: http.IncomingMessage, response: http.ServerResponse) => {
      try {
        answer(request, response);
      } catch {
        if (!response.headersSent) response.writeHead(500, { Connection: 'close' });
        response.end();
      }
    });
    await listen(server, this.options.port, this.options.host);
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server?.listening) return;
    // stop accepting; open WebSockets are closed by the server's shutdown
    server.close();
    this.wss?.close();
  }

  address(): { host: string; port: number } | undefined {
    return addressOf(this.server);
  }

  get hostDefaulted(): boolean {
    return this.options.host === undefined;
  }
}
