// Hostile clients of the bench's attack section (`6.` in run.mjs), run in the load generator: one
// connection floods the server with one kind of hostile body, a fixed number of requests in flight,
// and opens another connection whenever the server closes it.
import { setTimeout } from 'node:timers';
import { TextEncoder } from 'node:util';
import { encodeDataPacket, MessageType, PacketType } from '@pitaya-ts/protocol';
import { errorCode, LoadConnection, wsFrame } from './load-client.mjs';
import { ECHO_ROUTE } from './routes.mjs';

/** Requests the attacker keeps in flight. */
export const ATTACK_IN_FLIGHT = 32;

const request = (body, compress) =>
  wsFrame(
    encodeDataPacket(
      { type: MessageType.Request, id: 1, route: ECHO_ROUTE, body: new TextEncoder().encode(body), error: false },
      { compress },
    ),
  );
const nested = (levels) => `{"name":${'['.repeat(levels)}${']'.repeat(levels)}}`;

/** The attacks, each a request frame built once (zlibbed bodies are ~1/1000 of their size). */
export const ATTACKS = {
  bombs: { label: 'zlib bombs: 1 KB inflating to 1 MB', frame: request(`{"name":"${'x'.repeat(1_000_000)}"}`, true) },
  limit: { label: 'zlib bodies inflating to 250 KB', frame: request(`{"name":"${'x'.repeat(250_000)}"}`, true) },
  deep: { label: 'deep JSON: 100k nested arrays (200 KB)', frame: request(nested(100_000), false) },
  deepZlib: { label: 'the same, zlibbed (400 bytes)', frame: request(nested(100_000), true) },
};

export class Attacker {
  sent = 0;
  answered = 0;
  errors = {};
  closes = 0;
  #running = false;
  #conn;

  constructor(port, frame) {
    this.port = port;
    this.frame = frame;
  }

  async start() {
    this.#running = true;
    await this.#connect();
  }

  /** Stops attacking; returns what the server did with the requests. */
  stop() {
    this.#running = false;
    if (this.#conn) {
      this.#conn.onClose = () => {};
      this.#conn.close();
    }
    const { sent, answered, errors, closes } = this;
    return { sent, answered, errors, closes };
  }

  async #connect() {
    let conn;
    try {
      conn = await LoadConnection.open(this.port);
    } catch {
      if (this.#running) setTimeout(() => void this.#connect(), 10);
      return;
    }
    if (!this.#running) return conn.close();
    this.#conn = conn;
    conn.onPacket = (type, bytes, start, end) => {
      if (type !== PacketType.Data) return;
      const flag = bytes[start];
      if (flag & 0x20) {
        const code = errorCode(flag, bytes.subarray(start + 2, end));
        this.errors[code] = (this.errors[code] ?? 0) + 1;
      } else this.answered++;
      if (this.#running) this.#send(conn);
    };
    conn.onClose = () => {
      this.closes++;
      if (this.#running) void this.#connect();
    };
    for (let i = 0; i < ATTACK_IN_FLIGHT; i++) this.#send(conn);
  }

  #send(conn) {
    this.sent++;
    conn.write(this.frame);
  }
}
