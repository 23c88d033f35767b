import { decodePackets, errorMessage, ProtocolError, type Packet } from '@pitaya-ts/protocol';
import type { Transport, TransportFactory } from './transport';

/** The WHATWG WebSocket surface, implemented by browsers and by the `ws` package. */
export interface WebSocketLike {
  binaryType: string;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
}

export type WebSocketConstructor = new (url: string, protocols?: string[], options?: object) => WebSocketLike;

/** A transport over any WHATWG WebSocket: each binary frame carries one packet. */
export function webSocketTransport(WebSocketImpl: WebSocketConstructor): TransportFactory {
  return (url, handlers, options) =>
    new Promise<Transport>((resolve, reject) => {
      const socket = options.tls ? new WebSocketImpl(url.href, [], options.tls) : new WebSocketImpl(url.href);
      socket.binaryType = 'arraybuffer';
      let opened = false;
      let reason: string | undefined;

      const transport: Transport = {
        send: (packet) => socket.send(packet),
        close: () => {
          reason ??= 'closed by client';
          socket.close(1000);
        },
      };

      socket.onopen = () => {
        opened = true;
        resolve(transport);
      };
      socket.onmessage = ({ data }) => {
        let packets: Packet[];
        try {
          if (typeof data === 'string')
            throw new ProtocolError('ERR_PACKET_TYPE', 'text frame where a binary one was due');
          const bytes = new Uint8Array(data as ArrayBuffer);
          if (bytes.length > options.maxPacketSize) {
            throw new ProtocolError('ERR_PACKET_TOO_LARGE', `frame of ${bytes.length} bytes`);
          }
          // one packet per frame is the rule, but some servers batch: accept every packet a frame holds
          packets = decodePackets(bytes);
        } catch (err) {
          reason = `protocol error: ${errorMessage(err)}`;
          socket.close(1002);
          return;
        }
        for (const packet of packets) handlers.onPacket(packet);
      };
      socket.onerror = () => {
        if (!opened) reason ??= `cannot connect to ${url.href}`;
      };
      socket.onclose = (event) => {
        if (!opened) {
          reject(new Error(reason ?? `cannot connect to ${url.href} (${event.code})`));
          return;
        }
        handlers.onClose(
          reason ?? `connection closed by the server (${event.code}${event.reason ? `: ${event.reason}` : ''})`,
        );
      };
    });
}
