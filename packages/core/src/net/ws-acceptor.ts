import * as http from 'node:http';
import * as https from 'node:https';
import type { Socket } from 'node:net';
import { PacketStreamDecoder, ProtocolError } from '@pitaya-ts/protocol';
import { WebSocketServer, type WebSocket } from 'ws';
import { AcceptDeadlines } from './accept-deadline';
import type { Acceptor, AcceptorSettings, ConnectionHandlers, PlayerConnection } from './acceptor';
import { addressOf, listen, readTls, type TlsFiles } from './listen';
import { WriteCoalescer } from './write-coalescer';

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

/** A server's WebSocket frame around `payload`: FIN, binary, not masked (RFC 6455 §5.2). */
function binaryFrame(payload: Uint8Array): Buffer {
  const length = payload.length;
  const head = length < 126 ? 2 : length < 0x10000 ? 4 : 10;
  const frame = Buffer.allocUnsafe(head + length);
  frame[0] = 0x82;
  if (length < 126) frame[1] = length;
  else if (length < 0x10000) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  frame.set(payload, head);
  return frame;
}

/** A client connection over WebSocket: one packet per binary frame out, frames read as a stream in. */
export class WebSocketConnection implements PlayerConnection {
  readonly remoteAddress: string;
  private handlers: ConnectionHandlers | undefined;
  // Pitaya reads WebSocket frames as one stream, so a packet may span frames or share one
  private readonly decoder: PacketStreamDecoder;
  private readonly socket: Socket;
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
    this.remoteAddress = `${request.socket.remoteAddress}:${request.socket.remotePort}`;
    this.decoder = new PacketStreamDecoder({ maxPacketSize });
    this.socket.setNoDelay(true);
    ws.on('message', (data: Buffer, isBinary: boolean) => this.onFrame(data, isBinary));
    this.socket.on('drain', () => this.handlers?.onDrain());
    ws.on('error', () => undefined); // 'close' follows
    ws.on('close', () => this.handlers?.onClose());
  }

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
    return this.socket.writableNeedDrain;
  }

  write(packet: Uint8Array): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    this.coalescer.hold(this.socket);
    // the frame ws.send would write (perMessageDeflate is off), but in one buffer and one write
    // instead of a header and a body: ws's framing costs more than the copy
    this.socket.write(binaryFrame(packet));
  }

  // through ws, not on the socket: ws resumes a socket it paused itself whenever its parser drains
  flush(): void {
    this.coalescer.release(this.socket);
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
    const wss = new WebSocketServer({ noServer: true, maxPayload: maxPacketSize, perMessageDeflate: false });
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
