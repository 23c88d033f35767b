/**
 * Browser entry: WebSocket only, through the browser's own WebSocket. Imports nothing from Node.
 */
import { PitayaClient, type ClientOptions } from './client';
import type { AnyRoutes, RouteMap } from './routes';
import type { TransportFactory } from './transports/transport';
import { webSocketTransport, type WebSocketConstructor } from './transports/websocket-transport';

export * from './public-api';

const browserTransport: TransportFactory = (url, handlers, options) => {
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    return Promise.reject(new Error(`browsers can only open ws: and wss: URLs, not ${url.protocol}`));
  }
  const WebSocketImpl = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (!WebSocketImpl) return Promise.reject(new Error('this environment has no WebSocket'));
  return webSocketTransport(WebSocketImpl)(url, handlers, options);
};

/** Connects to `ws://` or `wss://` and handshakes. */
export function connect<R extends RouteMap = AnyRoutes>(
  url: string | URL,
  options: ClientOptions = {},
): Promise<PitayaClient<R>> {
  return PitayaClient.connect<R>(url, { transport: browserTransport, ...options });
}
