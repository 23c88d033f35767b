import { createHash } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { ignoreEvent } from './event-owner';

/** RFC 6455 §1.3: what a server appends to the client's key before hashing it. */
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** A key is 16 random bytes in base64. */
const KEY = /^[+/0-9A-Za-z]{22}==$/;
/** An HTTP token (RFC 7230 §3.2.6): what a subprotocol's name is made of. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Answers a WebSocket upgrade request on its socket (RFC 6455 §4.2), as the `ws` package's
 * server does: 101 and true when it is one, else an HTTP error, the socket closed, and false.
 * No extension is accepted (permessage-deflate is not used); the first subprotocol the client
 * offers is accepted, as browsers fail a connection whose offer goes unanswered.
 */
export function acceptUpgrade(request: IncomingMessage, socket: Socket): boolean {
  // the HTTP server no longer listens for the socket's errors: one (a reset while the answer is
  // written) would otherwise be thrown; the socket destroys itself, and the connection listens next
  socket.on('error', ignoreEvent);
  const { upgrade, 'sec-websocket-key': key } = request.headers;
  const version = Number(request.headers['sec-websocket-version']);
  if (request.method !== 'GET') return refuse(socket, 405, 'Invalid HTTP method');
  if (upgrade?.toLowerCase() !== 'websocket') return refuse(socket, 400, 'Invalid Upgrade header');
  if (key === undefined || !KEY.test(key)) return refuse(socket, 400, 'Missing or invalid Sec-WebSocket-Key header');
  if (version !== 13 && version !== 8) {
    return refuse(socket, 400, 'Missing or invalid Sec-WebSocket-Version header', 'Sec-WebSocket-Version: 13, 8\r\n');
  }
  const offered = request.headers['sec-websocket-protocol'];
  const protocols = offered === undefined ? [] : offered.split(',').map((name) => name.trim());
  if (protocols.some((name) => !TOKEN.test(name))) return refuse(socket, 400, 'Invalid Sec-WebSocket-Protocol header');
  // the client may have gone while the request was read
  if (!socket.readable || !socket.writable) {
    socket.destroy();
    return false;
  }
  const accept = createHash('sha1')
    .update(key + GUID)
    .digest('base64');
  socket.write(
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      `Sec-WebSocket-Accept: ${accept}\r\n` +
      (protocols.length > 0 ? `Sec-WebSocket-Protocol: ${protocols[0]}\r\n` : '') +
      '\r\n',
  );
  socket.off('error', ignoreEvent);
  return true;
}

/** An HTTP error in place of the upgrade, then the socket closes. */
function refuse(socket: Socket, status: number, message: string, extraHeaders = ''): false {
  if (socket.writable) {
    socket.once('finish', () => socket.destroy());
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: text/plain\r\n` +
        `Content-Length: ${Buffer.byteLength(message)}\r\n${extraHeaders}\r\n${message}`,
    );
  } else socket.destroy();
  return false;
}
