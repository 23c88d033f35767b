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

/** The connector's acceptors: loopback unless HOST says otherwise (0.0.0.0 in a container), ports 3250 and 3251. */
export function connectorAcceptors(env = process.env) {
  const host = env.HOST ?? '127.0.0.1';
  return [
    new WsAcceptor({ host, port: Number(env.PORT ?? 3250) }),
    new TcpAcceptor({ host, port: Number(env.TCP_PORT ?? 3251) }),
  ];
}
