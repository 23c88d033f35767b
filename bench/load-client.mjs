// A lean Pitaya client for load generation: WebSocket frames written and parsed by hand on a TCP
// socket (or Pitaya's packets on the bare socket, for a TCP acceptor), so that one core drives a
// thousand connections faster than a server can answer them.
// Client frames carry a zero mask key (RFC 6455 lets the client pick any key; the server unmasks
// with it), so a frame's payload is the packet as encoded, and a frame can be built once and reused.
import { Buffer } from 'node:buffer';
import * as net from 'node:net';
import { clearTimeout, setTimeout } from 'node:timers';
import { TextDecoder } from 'node:util';
import { inflateSync } from 'node:zlib';
import { encodeHandshakeRequest, encodePacket, handshakeAckPacket, PacketType } from '@pitaya-ts/protocol';

/** A masked binary frame around `payload`; the payload starts at `frameHeaderLength(payload.length)`. */
export function wsFrame(payload) {
  const head = frameHeaderLength(payload.length);
  const frame = Buffer.alloc(head + payload.length); // the mask key bytes stay zero
  frame[0] = 0x82; // FIN, binary
  if (payload.length < 126) frame[1] = 0x80 | payload.length;
  else if (payload.length < 0x10000) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(payload.length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(payload.length), 2);
  }
  frame.set(payload, head);
  return frame;
}

export function frameHeaderLength(payloadLength) {
  return (payloadLength < 126 ? 2 : payloadLength < 0x10000 ? 4 : 10) + 4;
}

const HANDSHAKE = encodePacket(
  PacketType.Handshake,
  encodeHandshakeRequest({ sys: { platform: 'node', libVersion: '0.1.0', clientVersion: '1.0' }, user: {} }),
);
const ACK = handshakeAckPacket();

/**
 * One connection, handshaken (WebSocket upgrade unless `tcp`, then Pitaya handshake and ack). Every
 * packet the server sends goes to `onPacket(type, bytes, bodyStart, bodyEnd)`. `write` takes what
 * goes on the socket: WebSocket frames (`wsFrame`), or packets when `tcp`.
 */
export class LoadConnection {
  onPacket = () => {};
  onClose = () => {};
  closed = false;
  #pending;

  constructor(socket, tcp) {
    this.socket = socket;
    this.tcp = tcp;
  }

  static open(port, { timeoutMs = 10_000, tcp = false } = {}) {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
      const conn = new LoadConnection(socket, tcp);
      const frame = (packet) => (tcp ? packet : wsFrame(packet));
      const fail = (err) => {
        clearTimeout(timer);
        socket.destroy();
        reject(err);
      };
      const timer = setTimeout(() => fail(new Error(`connection not handshaken after ${timeoutMs} ms`)), timeoutMs);
      const handshake = (rest) => {
        socket.on('data', (data) => conn.#onData(data));
        conn.onPacket = (type) => {
          if (type !== PacketType.Handshake) return fail(new Error(`packet ${type} before the handshake reply`));
          clearTimeout(timer);
          socket.write(frame(ACK));
          conn.onPacket = () => {};
          resolve(conn);
        };
        socket.write(frame(HANDSHAKE));
        if (rest.length) conn.#onData(rest);
      };
      let head = Buffer.alloc(0);
      const onHead = (chunk) => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return head.length > 8192 ? fail(new Error('no end of upgrade response')) : undefined;
        if (!head.toString('latin1', 0, 12).startsWith('HTTP/1.1 101')) return fail(new Error('upgrade refused'));
        socket.off('data', onHead);
        handshake(head.subarray(end + 4));
      };
      if (!tcp) socket.on('data', onHead);
      socket.on('error', (err) => fail(err));
      socket.on('close', () => {
        conn.closed = true;
        fail(new Error('closed'));
        conn.onClose();
      });
      socket.once('connect', () =>
        tcp
          ? handshake(Buffer.alloc(0))
          : socket.write(
              `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
                'Sec-WebSocket-Key: cGl0YXlhLXRzIGJlbmNoIQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
            ),
      );
    });
  }

  write(frame) {
    this.socket.write(frame);
  }

  close() {
    this.socket.destroy();
  }

  #onData(chunk) {
    const bytes = this.#pending ? Buffer.concat([this.#pending, chunk]) : chunk;
    this.#pending = undefined;
    const offset = this.tcp ? this.#packets(bytes, 0, bytes.length) : this.#frames(bytes);
    // a frame or packet cut short: keep a copy (not a view that would pin the whole read buffer)
    if (offset < bytes.length) this.#pending = Buffer.from(bytes.subarray(offset));
  }

  /** Reads the complete frames of `bytes`; returns where the first incomplete one starts. */
  #frames(bytes) {
    let offset = 0;
    while (bytes.length - offset >= 2) {
      const opcode = bytes[offset] & 0x0f;
      let length = bytes[offset + 1] & 0x7f; // server frames are not masked
      let head = 2;
      if (length === 126) {
        if (bytes.length - offset < 4) break;
        length = bytes.readUInt16BE(offset + 2);
        head = 4;
      } else if (length === 127) {
        if (bytes.length - offset < 10) break;
        length = Number(bytes.readBigUInt64BE(offset + 2));
        head = 10;
      }
      if (bytes.length - offset < head + length) break;
      const start = offset + head;
      offset = start + length;
      if (opcode === 0x8) {
        this.close();
        return bytes.length;
      }
      if (opcode === 0x2) this.#packets(bytes, start, offset);
    }
    return offset;
  }

  /**
   * Reads the complete packets between `offset` and `end`; returns where the first incomplete one
   * starts (a WebSocket server sends one packet per frame, but a frame may legally hold several).
   */
  #packets(bytes, offset, end) {
    while (end - offset >= 4) {
      const length = (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3];
      const start = offset + 4;
      if (end - start < length) break;
      this.onPacket(bytes[offset], bytes, start, start + length);
      offset = start + length;
    }
    return offset;
  }
}

/** The code of an error response's body (`{"code": ...}`, zlibbed when `flag` says so), or what made it unreadable. */
export function errorCode(flag, body) {
  try {
    const bytes = flag & 0x10 ? inflateSync(body) : body;
    return String(JSON.parse(new TextDecoder().decode(bytes)).code ?? 'no code');
  } catch {
    return 'undecodable';
  }
}

/**
 * Opens `count` connections, `concurrency` at a time (a burst of SYNs would overflow the accept
 * queue); over TCP (Pitaya's packets on the socket) when `tcp`.
 */
export async function openMany(port, count, { concurrency = 50, tcp = false } = {}) {
  const conns = [];
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (next < count && !failed) {
      next++;
      const conn = await LoadConnection.open(port, { tcp });
      if (failed) conn.close();
      else conns.push(conn);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  } catch (err) {
    failed = true;
    for (const conn of conns) conn.close();
    throw err;
  }
  return conns;
}
