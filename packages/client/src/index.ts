/**
 * Node entry: WebSocket (`ws://`, `wss://`, through the `ws` package) and TCP (`tcp://`, `tls://`).
 * Bundlers that honour the `browser` condition get ./browser instead.
 */
import WebSocket from 'ws';
import { PitayaClient, type ClientOptions } from './client';
import type { AnyRoutes, RouteMap } from './routes';
import { tcpTransport } from './transports/tcp-transport';
import type { TransportFactory } from './transports/transport';
import { webSocketTransport, type WebSocketConstructor } from './transports/websocket-transport';

export * from './public-api';
export { tcpTransport };

const wsTransport = webSocketTransport(WebSocket as unknown as WebSocketConstructor);

const nodeTransport: TransportFactory = (url, handlers, options) => {
  switch (url.protocol) {
    case 'tcp:':
    case 'tls:':
      return tcpTransport(url, handlers, options);
    case 'ws:':
    case 'wss:':
      return wsTransport(url, handlers, options);
    default:
      return Promise.reject(new Error(`unsupported URL scheme ${url.protocol} (use ws:, wss:, tcp: or tls:)`));
  }
};

/** Connects to `ws://`, `wss://`, `tcp://` or `tls://` and handshakes. */
export function connect<R extends RouteMap = AnyRoutes>(
  url: string | URL,
  options: ClientOptions = {},
): Promise<PitayaClient<R>> {
  return PitayaClient.connect<R>(url, { transport: nodeTransport, ...options });
}
