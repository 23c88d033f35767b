import * as net from 'node:net';
import * as tls from 'node:tls';
import { PacketStreamDecoder, ProtocolError } from '@pitaya-ts/protocol';
import { AcceptDeadlines } from './accept-deadline';
import type { Acceptor, AcceptorSettings, ConnectionHandlers, PlayerConnection } from './acceptor';
import { addressOf, listen, readTls, type TlsFiles } from './listen';
import { readProxyHeader } from './proxy-protocol';
import { EventOwners, ignoreEvent } from './event-owner';
import { PendingWrites } from './pending-writes';
import { WriteCoalescer, type HeldWrites } from './write-coalescer';

export interface TcpAcceptorOptions {
  /** Every interface (0.0.0.0) by default, as Pitaya; 127.0.0.1 keeps it to this machine. */
  host?: string;
  port: number;
  tls?: TlsFiles;
}

/** A client connection over a TCP (or TLS) stream. */
export class SocketConnection implements PlayerConnection, HeldWrites {
  remoteAddress: string;
  private handlers: ConnectionHandlers | undefined;
  private readonly decoder: PacketStreamDecoder;
  /** Bytes of a PROXY protocol header still being read, when the acceptor expects one. */
  private proxyHeader: Buffer | undefined;
  private closing = false;
  private readonly pending: PendingWrites;

  constructor(
    private readonly socket: net.Socket,
    private readonly coalescer: WriteCoalescer,
    maxPacketSize: number,
    proxyProtocol = false,
  ) {
    this.remoteAddress = `${socket.remoteAddress}:${socket.remotePort}`;
    if (proxyProtocol) this.proxyHeader = Buffer.alloc(0);
    this.decoder = new PacketStreamDecoder({ maxPacketSize });
    this.pending = new PendingWrites(socket);
    socket.setNoDelay(true);
    // listeners shared by every connection (event-owner.ts): unbound on purpose, `this` is the socket
    /* eslint-disable @typescript-eslint/unbound-method -- shared listeners read their connection from `this` */
    SocketConnection.owners.own(socket, this);
    socket.on('data', SocketConnection.onSocketData);
    socket.on('drain', SocketConnection.onSocketDrain);
    socket.on('error', ignoreEvent); // 'close' follows; nothing to add
    socket.on('close', SocketConnection.onSocketClose);
    /* eslint-enable @typescript-eslint/unbound-method */
  }

  private static readonly owners = new EventOwners<SocketConnection>();

  private static readonly onSocketData = function (this: object, chunk: Buffer): void {
    SocketConnection.owners.of(this)?.onData(chunk);
  };

  private static readonly onSocketDrain = function (this: object): void {
    SocketConnection.owners.of(this)?.handlers?.onDrain();
  };

  private static readonly onSocketClose = function (this: object): void {
    SocketConnection.owners.of(this)?.handlers?.onClose();
  };

  setHandlers(handlers: ConnectionHandlers): void {
    this.handlers = handlers;
  }

  private onData(chunk: Buffer): void {
    if (this.closing) return; // the server has said its last word: what follows is not read
    if (this.proxyHeader) {
      const rest = this.readProxyHeader(this.proxyHeader, chunk);
      if (!rest?.length) return;
      chunk = rest;
    }
    let packets;
    try {
      packets = this.decoder.push(chunk);
    } catch (err) {
      this.socket.pause();
      this.handlers?.onProtocolError(err as ProtocolError);
      return;
    }
    this.pending.readStarts();
    for (const packet of packets) this.handlers?.onPacket(packet);
    if (this.pending.readEnds()) this.handlers?.onDrain();
    if (this.pending.holding) this.coalescer.hold(this);
  }

  /** The client's bytes after the PROXY header, once it is complete. */
  private readProxyHeader(held: Buffer, chunk: Buffer): Buffer | undefined {
    const bytes = Buffer.concat([held, chunk]);
    let header;
    try {
      header = readProxyHeader(bytes);
    } catch {
      this.socket.destroy(); // not behind the proxy it claims: nothing to answer
      return undefined;
    }
    if (!header) {
      this.proxyHeader = bytes;
      return undefined;
    }
    this.proxyHeader = undefined;
    if (header.source) this.remoteAddress = header.source;
    return header.rest;
  }

  get needsDrain(): boolean {
    return this.socket.writableNeedDrain || this.pending.full;
  }

  write(packet: Uint8Array): void {
    if (this.closing || this.socket.destroyed) return;
    if (this.pending.add(packet)) this.coalescer.hold(this);
  }

  flush(): void {
    if (this.pending.flushSoon()) this.handlers?.onDrain();
  }

  flushHeld(): void {
    if (this.pending.flush()) this.handlers?.onDrain();
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  close(): void {
    if (this.closing) return;
    this.closing = true;
    this.pending.flush();
    // end() sends what is queued first; destroy a peer that does not finish closing
    this.socket.end();
    // until the peer's end, what it sends is taken and ignored: a socket closed with unread bytes
    // is reset, and a reset can destroy the answers the client has not read yet
    this.socket.resume();
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }
}

/** Pitaya's TCP acceptor: packets on a byte stream, optionally TLS. */
export class TcpAcceptor implements Acceptor {
  readonly protocol = 'tcp';
  private server: net.Server | undefined;
  private readonly coalescer = new WriteCoalescer();

  constructor(private readonly options: TcpAcceptorOptions) {}

  async listen(
    onConnection: (connection: PlayerConnection) => void,
    { maxPacketSize, proxyProtocol, handshakeTimeoutMs }: AcceptorSettings,
  ): Promise<void> {
    const accept = (socket: net.Socket) =>
      onConnection(new SocketConnection(socket, this.coalescer, maxPacketSize, proxyProtocol));
    const { tls: files } = this.options;
    if (files) {
      // the agent's handshake timeout starts once TLS is done: until then, this one
      const deadlines = new AcceptDeadlines(handshakeTimeoutMs);
      this.server = tls.createServer(readTls(files), (socket) => {
        deadlines.met(socket);
        accept(socket);
      });
      this.server.on('connection', deadlines.accepted);
    } else {
      this.server = net.createServer(accept);
    }
    await listen(this.server, this.options.port, this.options.host);
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server?.listening) return;
    // stop accepting now; open connections are closed by the server's shutdown
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      setImmediate(resolve);
    });
  }

  address(): { host: string; port: number } | undefined {
    return addressOf(this.server);
  }

  get hostDefaulted(): boolean {
    return this.options.host === undefined;
  }
}
