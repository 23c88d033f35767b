export { PitayaClient, type ClientEvents, type ClientOptions, type RequestOptions } from './client';
export { ClientError, PitayaError, type ClientErrorCode, type CloseReason } from './errors';
export { errorMessage } from '@pitaya-ts/protocol';
export type { ReconnectOptions } from './backoff';
export type { AnyRoutes, RouteMap } from './routes';
export type { ProtobufRoutes, ProtobufType } from './serializers';
export type { Transport, TransportFactory, TransportHandlers, TransportOptions } from './transports/transport';
export { webSocketTransport, type WebSocketConstructor, type WebSocketLike } from './transports/websocket-transport';
