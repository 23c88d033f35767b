import type { Packet } from '@pitaya-ts/protocol';

/** One open connection to a server, carrying whole packets. */
export interface Transport {
  send(packet: Uint8Array): void;
  /** Closes the connection; `onClose` follows. */
  close(): void;
}

export interface TransportHandlers {
  onPacket(packet: Packet): void;
  /** Called once, after the transport opened, when it is gone. */
  onClose(reason: string): void;
}

export interface TransportOptions {
  /** Largest packet accepted from the server. */
  maxPacketSize: number;
  /** Node only: TLS options for `wss:` and `tls:` (certificate authorities, servername...). */
  tls?: Record<string, unknown>;
}

/** Opens a transport for a URL; resolves once it is open, rejects if it cannot be. */
export type TransportFactory = (url: URL, handlers: TransportHandlers, options: TransportOptions) => Promise<Transport>;
