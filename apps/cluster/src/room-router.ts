import { createHash } from 'node:crypto';
import type { RoutingFunction, ServerInfo } from '@pitaya-ts/core';
import type { ServerPicker } from '@pitaya-ts/worker';
import { DEFAULT_ROOM, roomOf } from './rooms';

function score(room: string, server: ServerInfo): bigint {
  return createHash('sha1').update(`${room}\0${server.id}`).digest().readBigUInt64BE(0);
}

/** The room server of a room: rendezvous hashing, so a server joining or leaving moves few rooms. */
export function roomServer(room: string, servers: ServerInfo[]): ServerInfo {
  return servers.reduce((best, server) => (score(room, server) > score(room, best) ? server : best));
}

/** The room a message is about: the session's room, or the one a join asks for. */
function roomOfMessage(route: string, body: Uint8Array, sessionRoom: string | undefined): string {
  if (route.endsWith('.join')) {
    try {
      const { room } = JSON.parse(new TextDecoder().decode(body)) as { room?: unknown };
      if (typeof room === 'string' && room !== '') return room;
    } catch {
      // not JSON: the handler answers PIT-400
    }
    return DEFAULT_ROOM;
  }
  return sessionRoom ?? DEFAULT_ROOM;
}

/** A job about a room (its metadata names it) runs on that room's server, as the room's messages do. */
export const roomJobServer: ServerPicker = ({ metadata }, servers) =>
  typeof metadata.room === 'string' && servers.length > 0 ? roomServer(metadata.room, servers) : undefined;

/** Every message of a session in one room goes to the same room server. */
export const roomRouting: RoutingFunction = ({ session, route, body, servers }) =>
  roomServer(roomOfMessage(route, body, roomOf(session)), servers);
