import * as net from 'node:net';
import * as tls from 'node:tls';
import { errorMessage, PacketStreamDecoder } from '@pitaya-ts/protocol';
import type { Transport, TransportFactory } from './transport';

/** Node only: packets over a TCP stream (`tcp://host:port`), or TLS (`tls://host:port`). */
export const tcpTransport: TransportFactory = (url, handlers, options) =>
  new Promise<Transport>((resolve, reject) => {
    const secure = url.protocol === 'tls:';
    const port = Number(url.port);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const socket = secure
      ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ...options.tls })
      : net.connect({ host, port });
    socket.setNoDelay(true);
    const decoder = new PacketStreamDecoder({ maxPacketSize: options.maxPacketSize });
    let opened = false;
    let reason: string | undefined;

    const transport: Transport = {
      send: (packet) => void socket.write(packet),
      close: () => {
        reason ??= 'closed by client';
        socket.destroy();
      },
    };

    socket.once(secure ? 'secureConnect' : 'connect', () => {
      opened = true;
      resolve(transport);
    });
    socket.on('data', (chunk: Buffer) => {
      let packets;
      try {
        packets = decoder.push(chunk);
      } catch (err) {
        reason = `protocol error: ${errorMessage(err)}`;
        socket.destroy();
        return;
      }
      for (const packet of packets) handlers.onPacket(packet);
    });
    socket.on('error', (err: Error) => {
      reason ??= opened ? err.message : `cannot connect to ${url.href}: ${err.message}`;
    });
    socket.on('close', () => {
      if (opened) handlers.onClose(reason ?? 'connection closed by the server');
      else reject(new Error(reason ?? `cannot connect to ${url.href}`));
    });
  });
