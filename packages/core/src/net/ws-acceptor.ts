import * as http from 'node:http';
import * as https from 'node:https';
import type { Socket } from 'node:net';
import { PacketStreamDecoder, ProtocolError } from '@pitaya-ts/protocol';
import { AcceptDeadlines } from './accept-deadline';
import type { Acceptor, AcceptorSettings, ConnectionHandlers, PlayerConnection } from './acceptor';
import { addressOf, listen, readTls, type TlsFiles } from './listen';
import { EventOwners, ignoreEvent } from './event-owner';
import { PendingWrites } from './pending-writes';
import { WriteCoalescer, type HeldWrites } from './write-coalescer';
import { CloseCode, Opcode, WsFrameError, WsFrameReader, type WsFrameHandlers } from './ws-frame-reader';
import { acceptUpgrade } from './ws-handshake';

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

/** The header of a server's WebSocket frame: FIN and `opcode`, not masked (RFC 6455 §5.2). */
function writeFrameHeader(target: Buffer, offset: number, length: number, opcode: number = Opcode.Binary): number {
  target[offset] = 0x80 | opcode;
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
}

/** Packets leave in binary frames. */
const wsFraming = {
  size: (length: number): number => (length < 126 ? 2 : length < 0x10000 ? 4 : 10),
  write: (target: Buffer, offset: number, length: number): number => writeFrameHeader(target, offset, length),
};

/** A control frame (a close or a pong): its payload is 125 bytes at most. */
function controlFrame(opcode: number, payload: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(2 + payload.length);
  frame.set(payload, writeFrameHeader(frame, 0, payload.length, opcode));
  return frame;
}

/** A close frame's payload: the code, and the peer's reason when it is echoed. */
function closePayload(code: number, reason: Uint8Array = Buffer.alloc(0)): Buffer {
  if (code === CloseCode.NoCode) return Buffer.alloc(0); // the peer gave none: none is echoed
  const payload = Buffer.allocUnsafe(2 + reason.length);
  payload.writeUInt16BE(code, 0);
  payload.set(reason, 2);
  return payload;
}

/**
 * A client connection over WebSocket, on the socket the upgrade left: one packet per binary frame
 * out, frames read as a stream in (Pitaya reads them so: a packet may span frames or share one).
 * Frames are read and written here rather than by the `ws` package: its receiver (a Writable
 * stream and two events per message) and its sender cost more per request than the framing.
 */
export class WebSocketConnection implements PlayerConnection, HeldWrites, WsFrameHandlers {
  readonly remoteAddress: string;
  private handlers: ConnectionHandlers | undefined;
  private readonly decoder: PacketStreamDecoder;
  private readonly frames: WsFrameReader;
  private readonly pending: PendingWrites;
  /** The client sent something that is not packets: what follows is ignored. */
  private failed = false;
  /** The close handshake has begun (either side): no more data frames go out. */
  private closing = false;
  private closeSent = false;
  /** The client's close frame came: nothing after it is read. */
  private closeReceived = false;
  /** The payload of the latest ping of the read being delivered: it is answered at the read's end. */
  private pinged: Buffer | undefined;
  private closeCode: number = CloseCode.Normal;

  constructor(
    private readonly socket: Socket,
    private readonly coalescer: WriteCoalescer,
    maxPacketSize: number,
  ) {
    this.pending = new PendingWrites(socket, wsFraming);
    this.remoteAddress = `${socket.remoteAddress}:${socket.remotePort}`;
    this.decoder = new PacketStreamDecoder({ maxPacketSize });
    this.frames = new WsFrameReader(this);
    socket.setNoDelay(true);
    // listeners shared by every connection (event-owner.ts): unbound on purpose, `this` is the socket
    /* eslint-disable @typescript-eslint/unbound-method -- shared listeners read their connection from `this` */
    WebSocketConnection.owners.own(socket, this);
    socket.on('data', WebSocketConnection.onSocketData);
    socket.on('drain', WebSocketConnection.onSocketDrain);
    socket.on('end', WebSocketConnection.onSocketEnd);
    socket.on('error', ignoreEvent); // 'close' follows
    socket.on('close', WebSocketConnection.onSocketClose);
    /* eslint-enable @typescript-eslint/unbound-method */
  }

  private static readonly owners = new EventOwners<WebSocketConnection>();

  private static readonly onSocketData = function (this: object, chunk: Buffer): void {
    WebSocketConnection.owners.of(this)?.onSocketData(chunk);
  };

  private static readonly onSocketDrain = function (this: object): void {
    WebSocketConnection.owners.of(this)?.handlers?.onDrain();
  };

  private static readonly onSocketEnd = function (this: object): void {
    WebSocketConnection.owners.of(this)?.onSocketEnd();
  };

  private static readonly onSocketClose = function (this: object): void {
    WebSocketConnection.owners.of(this)?.handlers?.onClose();
  };

  setHandlers(handlers: ConnectionHandlers): void {
    this.handlers = handlers;
  }

  private onSocketData(chunk: Buffer): void {
    if (this.closeReceived) return;
    this.pending.readStarts();
    try {
      this.frames.push(chunk);
    } catch (err) {
      // frames that break the protocol cannot be read further: the connection fails (RFC 6455 §7.1.7)
      if (!(err instanceof WsFrameError)) throw err;
      this.closeCode = err.code;
      this.failed = true;
      this.handlers?.onProtocolError(err);
      this.close();
    }
    if (this.pending.readEnds()) this.handlers?.onDrain();
    if (this.pending.holding) this.coalescer.hold(this);
    if (this.pinged) this.pong(this.pinged);
  }

  /**
   * Answers the read's latest ping (RFC 6455 §5.5.3 lets a server answer only the latest): pings
   * cost one write per read, however many came; none while the client is not reading what it is
   * sent, so that a ping flood cannot fill the memory.
   */
  private pong(payload: Buffer): void {
    this.pinged = undefined;
    if (this.closeSent || this.socket.writableNeedDrain) return;
    this.socket.write(controlFrame(Opcode.Pong, payload));
  }

  /** The client half-closed without a close frame: nothing more goes out, the server's half closes too. */
  private onSocketEnd(): void {
    this.closing = true;
    this.socket.end();
  }

  /** WsFrameHandlers: packet bytes. */
  onBinary(bytes: Buffer): void {
    if (this.failed || this.closing) return;
    let packets;
    try {
      packets = this.decoder.push(bytes);
    } catch (err) {
      // ignore what follows, but keep reading: the close handshake needs the client's close frame
      this.failed = true;
      const error = err as ProtocolError;
      this.closeCode = error.code === 'ERR_PACKET_TOO_LARGE' ? CloseCode.TooBig : CloseCode.ProtocolError;
      this.handlers?.onProtocolError(error);
      return;
    }
    for (const packet of packets) this.handlers?.onPacket(packet);
  }

  /** WsFrameHandlers: packets travel in binary frames only. */
  onText(): void {
    if (this.failed || this.closing) return;
    this.failed = true;
    this.closeCode = CloseCode.UnsupportedData;
    this.handlers?.onProtocolError(new ProtocolError('ERR_PACKET_TYPE', 'text frame: packets travel in binary frames'));
  }

  /** WsFrameHandlers: answered at the end of the read (`pong`). */
  onPing(payload: Buffer): void {
    this.pinged = payload;
  }

  /** WsFrameHandlers: the client closes; the server's close frame answers it, then the socket ends. */
  onClose(code: number, reason: Buffer): void {
    this.closeReceived = true;
    if (!this.closeSent) {
      this.closing = true;
      this.flushHeld();
      this.sendClose(code, reason);
    }
    this.socket.end();
  }

  get needsDrain(): boolean {
    return this.socket.writableNeedDrain || this.pending.full;
  }

  write(packet: Uint8Array): void {
    if (this.closing || this.socket.destroyed) return;
    if (this.pending.add(packet)) this.coalescer.hold(this);
  }

  flush(): void {
    if (this.closeSent) return this.pending.discard(); // data frames after a close frame break the protocol
    if (this.pending.flushSoon()) this.handlers?.onDrain();
  }

  flushHeld(): void {
    if (this.closeSent) return this.pending.discard();
    if (this.pending.flush()) this.handlers?.onDrain();
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  close(): void {
    if (this.closeSent || this.socket.destroyed) return;
    this.closing = true;
    this.flushHeld();
    this.sendClose(this.closeCode);
    // the client's close frame ends the socket; frames that cannot be read will not bring one
    if (this.frames.unreadable) this.socket.end();
    // the frames the client sends meanwhile are read up to its close frame and ignored
    this.socket.resume();
  }

  private sendClose(code: number, reason?: Uint8Array): void {
    this.closeSent = true;
    if (this.socket.writable) this.socket.write(controlFrame(Opcode.Close, closePayload(code, reason)));
    // a peer that never finishes the close (no close frame, no FIN, or not reading) is cut off
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }
}

function upgradeRequired(_request: http.IncomingMessage, response: http.ServerResponse): void {
  response.writeHead(426, { Connection: 'close', Upgrade: 'websocket' }).end();
}

/** Pitaya's WebSocket acceptor (any path), optionally TLS. */
export class WsAcceptor implements Acceptor {
  readonly protocol = 'ws';
  private server: http.Server | undefined;
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
    server.on('upgrade', (request: http.IncomingMessage, socket: Socket, head: Buffer) => {
      if (!acceptUpgrade(request, socket)) return;
      deadlines.met(socket);
      onConnection(new WebSocketConnection(socket, this.coalescer, maxPacketSize));
      // frames the client sent right behind its request, read with it
      if (head.length > 0) socket.unshift(head);
    });
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
  }

  address(): { host: string; port: number } | undefined {
    return addressOf(this.server);
  }

  get hostDefaulted(): boolean {
    return this.options.host === undefined;
  }
}
