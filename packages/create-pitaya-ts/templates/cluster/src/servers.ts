import { TcpAcceptor, WsAcceptor, type BootstrapOptions } from '@pitaya-ts/core';
import { EntryHandler } from './connector/entry.handler';
import { RoomHandler } from './room/room.handler';
import { RoomRemote } from './room/room.remote';

export type ServerType = 'connector' | 'room';

/** The frontend clients connect to; it forwards `room.*` routes to a room server. */
export const connector = {
  serverType: 'connector',
  handlers: [EntryHandler],
} satisfies BootstrapOptions;

/** A backend: rooms, their groups and their remote. */
export const room = {
  serverType: 'room',
  handlers: [RoomHandler],
  remotes: [RoomRemote],
} satisfies BootstrapOptions;

/** The connector's acceptors; HOST=0.0.0.0 in a container. */
export function connectorAcceptors(host = process.env.HOST ?? '127.0.0.1', port = 3250, tcpPort = 3251) {
  return [new WsAcceptor({ host, port }), new TcpAcceptor({ host, port: tcpPort })];
}
