import type { Packet } from '@pitaya-ts/protocol';

/**
 * What a connection reports to its owner: the agent itself, whose methods these are (call them on
 * the object; spreading it copies none of them).
 */
export interface ConnectionHandlers {
  onPacket(packet: Packet): void;
  /** Bad framing from the client (a ProtocolError, or the transport's own): the connection must be closed. */
  onProtocolError(error: Error): void;
  /** A packet dropped before reaching the agent (rate limiting). */
  onDropped?(reason: 'ratelimit'): void;
  /** The socket can take more writes. */
  onDrain(): void;
  onClose(): void;
}

/** One client connection, carrying whole packets whatever the transport. */
export interface PlayerConnection {
  readonly remoteAddress: string;
  setHandlers(handlers: ConnectionHandlers): void;
  /** Queues a packet; writes are coalesced until `flush()` or the end of the event-loop turn. */
  write(packet: Uint8Array): void;
  /**
   * Sends what was written now rather than at the end of the turn: the agent calls it once every
   * message read is answered. A connection delivering a read's packets sends at the read's end,
   * so that the answers to its other packets share the write (cork and uncork around a read).
   */
  flush(): void;
  /** True while the socket's buffer is over its high-water mark. */
  readonly needsDrain: boolean;
  /** Stops reading from the client (back-pressure), and starts again. */
  pause(): void;
  resume(): void;
  /** Flushes what was written, then closes. */
  close(): void;
}

/** What the server's configuration says about connections, passed to every acceptor. */
export interface AcceptorSettings {
  /** Largest packet accepted, header included (`pitaya.conn.maxpacketsize`). */
  maxPacketSize: number;
  /** `pitaya.conn.ratelimiting.limit` / `.interval`, for acceptors wrapped with rate limiting. */
  rateLimit: { limit: number; intervalMs: number };
  /** `pitaya.conn.ratelimiting.forcedisable` */
  rateLimitDisabled: boolean;
  /** `pitaya.acceptor.proxyprotocol`: TCP connections start with a PROXY protocol v1/v2 header. */
  proxyProtocol: boolean;
  /**
   * `pitaya.handshake.timeout`, 0 for none: a socket that has not become a connection by then
   * (TLS handshake, WebSocket upgrade) is cut.
   */
  handshakeTimeoutMs: number;
  /** `pitaya.acceptor.ws.maxheadersize`: largest head of a WebSocket upgrade request. */
  maxHeaderSize: number;
}

/** Listens for clients (Pitaya's acceptor). Custom transports implement this. */
export interface Acceptor {
  /** `ws`, `tcp`, or a custom name. */
  readonly protocol: string;
  listen(onConnection: (connection: PlayerConnection) => void, settings: AcceptorSettings): Promise<void>;
  /** Stops accepting; open connections stay. */
  close(): Promise<void>;
  /** Where it listens, once listening. */
  address(): { host: string; port: number } | undefined;
  /**
   * True when it was given no host and so listens on every network interface, as Pitaya's
   * acceptors do: the server warns at start-up, since other machines can connect.
   */
  readonly hostDefaulted?: boolean;
}
