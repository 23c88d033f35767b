import { bootstrap, TcpAcceptor, WsAcceptor, type BootstrapOptions, type PitayaApp } from '@pitaya-ts/core';
import { chatPage } from './chat-page';
import { RoomHandler } from './room.handler';

export interface ChatServerOptions {
  host?: string;
  wsPort?: number;
  tcpPort?: number;
  config?: BootstrapOptions['config'];
  configFile?: string;
  handleSignals?: boolean;
}

/** The chat server, built but not started. Port 0 picks a free port (tests). */
export function createChatServer(options: ChatServerOptions = {}): Promise<PitayaApp> {
  const host = options.host ?? '127.0.0.1';
  return bootstrap({
    serverType: 'chat',
    handlers: [RoomHandler],
    acceptors: [
      // the page at http://host:port/ beside the WebSocket, as Pitaya's chat demo has one
      new WsAcceptor({ host, port: options.wsPort ?? 3250, http: chatPage() }),
      new TcpAcceptor({ host, port: options.tcpPort ?? 3251 }),
    ],
    routeDictionary: ['chat.room.join', 'chat.room.send', 'chat.room.leave', 'onJoin', 'onMessage', 'onLeave'],
    config: options.config,
    configFile: options.configFile,
    handleSignals: options.handleSignals,
  });
}
