import * as net from 'node:net';
import * as zlib from 'node:zlib';
import WebSocket from 'ws';
import { Message, Package } from 'pinus-protocol';

/**
 * A minimal Pitaya/pomelo client on pinus-protocol, a codec written independently of ours: what
 * the server sends must make sense to it, and what it sends must make sense to the server.
 */

export type Transport = 'ws' | 'tcp';

/** pomelo: what pinus/pomelo JS clients send; libpitaya: what Pitaya's C client sends; none: no handshake. */
export type HandshakeKind = 'pomelo' | 'libpitaya' | 'none';

export const POMELO_HANDSHAKE = { sys: { type: 'js-websocket', version: '0.0.1' }, user: {} };
export const LIBPITAYA_HANDSHAKE = {
  sys: { platform: 'node', libVersion: '0.3.5-release', clientBuildNumber: '20', clientVersion: '2.1' },
  user: {},
};

export interface PinusClientOptions {
  handshake?: HandshakeKind;
  /** Send the HandshakeAck after a successful handshake reply (default true). */
  ack?: boolean;
  /** Answer every server heartbeat with one (default true). */
  heartbeat?: boolean;
  /** Send request and notify routes as dictionary codes when the dictionary has them. */
  useDict?: boolean;
  /** Deadline for the connection and the handshake, in ms (default 3000). */
  timeout?: number;
}

export interface RawPacket {
  type: number;
  body: Buffer;
}

export interface Push {
  route: string;
  /** The route came as a dictionary code. */
  compressedRoute: boolean;
  /** The body came zlib-compressed (flag 0x10). */
  compressedBody: boolean;
  body: unknown;
}

export interface PinusResponse {
  id: number;
  /** Pitaya's error flag (0x20). */
  error: boolean;
  body: unknown;
  /** The body came zlib-compressed (flag 0x10). */
  compressedBody?: boolean;
}

const ERROR_FLAG = 0x20;

function decodeJson(bytes: Buffer | null): unknown {
  if (!bytes || bytes.length === 0) return undefined;
  return JSON.parse(bytes.toString('utf8'));
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** Values that arrive before or after someone waits for them. */
export class Inbox<T> {
  private readonly items: T[] = [];
  private readonly waiters: { accept: (item: T) => boolean; resolve: (item: T) => void }[] = [];

  put(item: T): void {
    const index = this.waiters.findIndex((w) => w.accept(item));
    if (index >= 0) this.waiters.splice(index, 1)[0]!.resolve(item);
    else this.items.push(item);
  }

  take(accept: (item: T) => boolean, ms: number, what: string): Promise<T> {
    const index = this.items.findIndex(accept);
    if (index >= 0) return Promise.resolve(this.items.splice(index, 1)[0]!);
    const waiter = { accept, resolve: (_: T): void => undefined };
    const found = new Promise<T>((resolve) => (waiter.resolve = resolve));
    this.waiters.push(waiter);
    return withTimeout(found, ms, what).catch((err: unknown) => {
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      throw err;
    });
  }

  pending(accept: (item: T) => boolean): T[] {
    return this.items.filter(accept);
  }
}

export class PinusClient {
  /** The server's handshake reply, decoded. */
  handshakeReply: { code: number; sys?: { heartbeat?: number; dict?: Record<string, number>; [k: string]: unknown } } =
    { code: 0 };
  /** The handshake reply came zlib-compressed. */
  handshakeCompressed = false;
  /** Every packet received, in order. */
  readonly received: RawPacket[] = [];
  /** What this client saw that the protocol forbids (several packets in one WebSocket frame...). */
  readonly violations: string[] = [];
  /** The Kick packet, if one came. */
  kick: RawPacket | undefined;
  /** Resolves once the connection is closed, whoever closed it. */
  readonly closed: Promise<void>;
  isClosed = false;

  private readonly packets = new Inbox<RawPacket>();
  private readonly packetListeners = new Set<() => void>();
  private readonly pushes = new Inbox<Push>();
  private readonly responses = new Map<number, (response: PinusResponse) => void>();
  private readonly pushHandlers = new Map<string, ((push: Push) => void)[]>();
  private dict: Record<string, number> = {};
  private readonly routesByCode = new Map<number, string>();
  private nextId = 1;
  private pending = Buffer.alloc(0);
  private sendRaw!: (bytes: Buffer) => void;
  private sendTextFrame: ((text: string) => void) | undefined;
  private closeSocket!: () => void;
  private markClosed!: () => void;

  private constructor(private readonly options: PinusClientOptions) {
    this.closed = new Promise((resolve) => (this.markClosed = resolve));
  }

  /** Connects and, unless `handshake: 'none'`, handshakes (and acks). */
  static async connect(transport: Transport, port: number, options: PinusClientOptions = {}): Promise<PinusClient> {
    const client = new PinusClient(options);
    const timeout = options.timeout ?? 3000;
    await withTimeout(client.open(transport, port), timeout, `a ${transport} connection to port ${port}`);
    const kind = options.handshake ?? 'pomelo';
    if (kind !== 'none') {
      const request = kind === 'pomelo' ? POMELO_HANDSHAKE : LIBPITAYA_HANDSHAKE;
      client.sendPacket(Package.TYPE_HANDSHAKE, Buffer.from(JSON.stringify(request)));
      const reply = await client.nextPacket(Package.TYPE_HANDSHAKE, timeout);
      client.readHandshake(reply.body);
      if (client.handshakeReply.code === 200 && options.ack !== false) client.sendPacket(Package.TYPE_HANDSHAKE_ACK);
    }
    return client;
  }

  private open(transport: Transport, port: number): Promise<void> {
    const onClose = () => {
      this.isClosed = true;
      this.markClosed();
    };
    if (transport === 'tcp') {
      const socket = net.connect({ host: '127.0.0.1', port });
      socket.on('data', (chunk: Buffer) => this.onStream(chunk));
      socket.on('error', () => undefined); // 'close' follows
      socket.on('close', onClose);
      this.sendRaw = (bytes) => {
        if (!socket.destroyed) socket.write(bytes);
      };
      this.closeSocket = () => socket.destroy();
      return new Promise((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('error', reject);
      });
    }
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
    ws.binaryType = 'nodebuffer';
    ws.on('message', (data: Buffer) => this.onFrame(data));
    ws.on('error', () => undefined);
    ws.on('close', onClose);
    this.sendRaw = (bytes) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(bytes, { binary: true });
    };
    this.sendTextFrame = (text) => ws.send(text);
    this.closeSocket = () => ws.terminate();
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
  }

  /** TCP: packets may be split across reads or share one; cut them with the 4-byte header. */
  private onStream(chunk: Buffer): void {
    this.pending = Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= 4) {
      const length = this.pending.readUIntBE(1, 3);
      if (this.pending.length < 4 + length) return;
      const bytes = this.pending.subarray(0, 4 + length);
      this.pending = this.pending.subarray(4 + length);
      this.decodePackets(bytes);
    }
  }

  /** WebSocket: one packet per frame. */
  private onFrame(frame: Buffer): void {
    const count = this.decodePackets(frame);
    if (count !== 1) this.violations.push(`a WebSocket frame held ${count} packets`);
  }

  private decodePackets(bytes: Buffer): number {
    const decoded = Package.decode(bytes);
    const packets = Array.isArray(decoded) ? decoded : [decoded];
    for (const { type, body } of packets) {
      if (!(type >= Package.TYPE_HANDSHAKE && type <= Package.TYPE_KICK)) {
        this.violations.push(`invalid packet type ${type}`);
        continue;
      }
      this.onPacket({ type, body: body ?? Buffer.alloc(0) });
    }
    return packets.length;
  }

  private onPacket(packet: RawPacket): void {
    this.received.push(packet);
    if (packet.type === Package.TYPE_HEARTBEAT && this.options.heartbeat !== false) {
      this.sendPacket(Package.TYPE_HEARTBEAT);
    }
    if (packet.type === Package.TYPE_KICK) this.kick = packet;
    if (packet.type === Package.TYPE_DATA) this.onData(packet.body);
    this.packets.put(packet);
    for (const listener of this.packetListeners) listener();
  }

  private readHandshake(body: Buffer): void {
    // zlib header 0x78; pomelo-family clients cannot inflate
    this.handshakeCompressed = body[0] === 0x78;
    const json = this.handshakeCompressed ? zlib.inflateSync(body) : body;
    this.handshakeReply = decodeJson(json) as PinusClient['handshakeReply'];
    this.dict = this.handshakeReply.sys?.dict ?? {};
    for (const [route, code] of Object.entries(this.dict)) this.routesByCode.set(code, route);
  }

  private onData(bytes: Buffer): void {
    const message = Message.decode(bytes);
    const flag = bytes[0]!;
    const raw = message.compressGzip ? zlib.inflateSync(message.body) : message.body;
    let body: unknown;
    try {
      body = decodeJson(raw);
    } catch {
      this.violations.push(`undecodable body: ${raw.toString('hex')}`);
      return;
    }
    if (message.type === Message.TYPE_RESPONSE) {
      const resolve = this.responses.get(message.id);
      if (!resolve) return void this.violations.push(`a response to no request (id ${message.id})`);
      this.responses.delete(message.id);
      resolve({ id: message.id, error: (flag & ERROR_FLAG) !== 0, body, compressedBody: message.compressGzip === 1 });
      return;
    }
    if (message.type !== Message.TYPE_PUSH) return void this.violations.push(`message type ${message.type}`);
    const compressedRoute = message.compressRoute === 1;
    const route = compressedRoute ? this.routesByCode.get(message.route as number) : (message.route as string);
    if (route === undefined) return void this.violations.push(`push with unknown route code ${message.route}`);
    const push = { route, compressedRoute, compressedBody: message.compressGzip === 1, body };
    for (const handler of this.pushHandlers.get(route) ?? []) handler(push);
    this.pushes.put(push);
  }

  private encodeRoute(route: string): { compressed: boolean; route: string | number } {
    const code = this.dict[route];
    return this.options.useDict && code !== undefined
      ? { compressed: true, route: code }
      : { compressed: false, route };
  }

  sendPacket(type: number, body?: Buffer): void {
    this.sendRaw(Package.encode(type, body));
  }

  /** Anything at all, unframed. */
  sendBytes(bytes: Uint8Array): void {
    this.sendRaw(Buffer.from(bytes));
  }

  /** WebSocket only: a text frame, where packets travel in binary ones. */
  sendText(text: string): void {
    if (!this.sendTextFrame) throw new Error('text frames exist only over WebSocket');
    this.sendTextFrame(text);
  }

  /** A Request whose body is given as bytes (invalid JSON...). */
  requestBytes(route: string, body: Buffer, timeout = 10_000): Promise<PinusResponse> {
    const id = this.nextId++;
    const r = this.encodeRoute(route);
    const answered = new Promise<PinusResponse>((resolve) => this.responses.set(id, resolve));
    this.sendPacket(Package.TYPE_DATA, Message.encode(id, Message.TYPE_REQUEST, r.compressed, r.route, body));
    return withTimeout(answered, timeout, `the response to ${route}`).finally(() => this.responses.delete(id));
  }

  request(route: string, body: unknown = {}, timeout = 10_000): Promise<PinusResponse> {
    return this.requestBytes(route, Buffer.from(JSON.stringify(body)), timeout);
  }

  notify(route: string, body: unknown = {}): void {
    const r = this.encodeRoute(route);
    const bytes = Buffer.from(JSON.stringify(body));
    this.sendPacket(Package.TYPE_DATA, Message.encode(0, Message.TYPE_NOTIFY, r.compressed, r.route, bytes));
  }

  onPush(route: string, handler: (push: Push) => void): void {
    const handlers = this.pushHandlers.get(route) ?? [];
    handlers.push(handler);
    this.pushHandlers.set(route, handlers);
  }

  /** The oldest push of `route` not yet taken, waiting up to `timeout` ms for one. */
  nextPush(route: string, timeout = 10_000): Promise<Push> {
    return this.pushes.take((p) => p.route === route, timeout, `a push of ${route}`);
  }

  /** Pushes of `route` received and not yet taken. */
  pendingPushes(route: string): Push[] {
    return this.pushes.pending((p) => p.route === route);
  }

  /** The oldest packet of `type` not yet taken. */
  nextPacket(type: number, timeout = 10_000): Promise<RawPacket> {
    return this.packets.take((p) => p.type === type, timeout, `a packet of type ${type}`);
  }

  /** Packets of `type` received so far. */
  count(type: number): number {
    return this.received.filter((p) => p.type === type).length;
  }

  /** Resolves once `count` packets of `type` have been received in all. */
  waitForCount(type: number, count: number, timeout = 10_000): Promise<void> {
    let listener = (): void => undefined;
    const reached = new Promise<void>((resolve) => {
      listener = () => {
        if (this.count(type) >= count) resolve();
      };
      this.packetListeners.add(listener);
      listener();
    });
    return withTimeout(reached, timeout, `${count} packets of type ${type}`).finally(() =>
      this.packetListeners.delete(listener),
    );
  }

  /** Requests sent and not answered. */
  get unanswered(): number {
    return this.responses.size;
  }

  /** Closes from this side; resolves once closed. */
  close(): Promise<void> {
    this.closeSocket();
    return this.closed;
  }
}
