import { EventEmitter } from 'eventemitter3';
import {
  decodeHandshakeResponse,
  decodeKickReason,
  decodeMessage,
  encodeDataPacket,
  encodeHandshakeRequest,
  encodePacket,
  errorMessage,
  handshakeAckPacket,
  heartbeatPacket,
  HANDSHAKE_OK,
  MessageType,
  PacketType,
  RouteDictionary,
  type HandshakeResponse,
  type HandshakeSys,
  type Message,
  type Packet,
} from '@pitaya-ts/protocol';
import { backoffDelay, type ReconnectOptions } from './backoff';
import { ClientError, type CloseReason } from './errors';
import { PendingRequests } from './pending-requests';
import { PushHandlers } from './push-handlers';
import type { AnyRoutes, NotifyRoute, PushRoute, RequestBody, RequestRoute, ResponseBody, RouteMap } from './routes';
import { serializerFor, type BodySerializer, type ProtobufRoutes } from './serializers';
import type { Transport, TransportFactory } from './transports/transport';

export interface ClientOptions {
  /** Sent as the handshake's `user` object; the server keeps it with the session. */
  handshakeData?: Record<string, unknown>;
  /** Overrides or extends the handshake's `sys` block. */
  sys?: HandshakeSys;
  /** Connect + handshake deadline, in ms (default 10 000). */
  timeout?: number;
  /** Default deadline of a request, in ms (default 10 000). */
  requestTimeout?: number;
  /** zlib request bodies when that makes them smaller (Pitaya servers inflate them). */
  compress?: boolean;
  /** Reconnect after an unexpected close (not after `close()` or a kick). */
  reconnect?: boolean | ReconnectOptions;
  /** Types for servers that announce the protobuf serializer. */
  protobuf?: ProtobufRoutes;
  /** Largest packet accepted from the server (default 16 MiB). */
  maxPacketSize?: number;
  /** Node only: TLS options for `wss:` and `tls:`. */
  tls?: Record<string, unknown>;
  /** How to open a connection; each entry point supplies its own. */
  transport?: TransportFactory;
}

export interface RequestOptions {
  /** Deadline in ms; overrides the client's `requestTimeout`. */
  timeout?: number;
  /** Resolve with the response bytes, undecoded. */
  raw?: boolean;
}

export interface ClientEvents {
  /** The server kicked this client; `reason` when the server gave one (pomelo does). */
  kick: [reason: string | undefined];
  /** The connection closed; `reconnecting` tells whether the client will try again. */
  close: [reason: CloseReason, reconnecting: boolean];
  /** About to try reconnecting, after `delay` ms. */
  reconnecting: [attempt: number, delay: number];
  /** Connected and handshaken again; the server sees a new session. */
  reconnect: [];
  /** Something went wrong that no call is waiting for (a push handler threw, an undecodable push). */
  error: [error: Error];
}

interface Link {
  transport?: Transport;
  closed?: () => void;
}

const LIB_VERSION = '0.1.0';

/** A connection to a Pitaya or pitaya-ts server. Create it with `connect()`. */
export class PitayaClient<R extends RouteMap = AnyRoutes> {
  /** Lifecycle events: kick, close, reconnecting, reconnect, error. */
  readonly events = new EventEmitter<ClientEvents>();
  /** The server's handshake reply (heartbeat, dictionary, serializer). */
  handshake: HandshakeResponse | undefined;

  private readonly url: URL;
  private readonly options: ClientOptions;
  private readonly transport: TransportFactory;
  private link: Link | undefined;
  private state: 'idle' | 'open' | 'reconnecting' | 'closed' = 'idle';
  private readonly pending = new PendingRequests();
  private readonly pushHandlers = new PushHandlers();
  private dictionary: RouteDictionary | undefined;
  private serializer: BodySerializer | undefined;
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  private lastReceived = 0;

  constructor(url: string | URL, options: ClientOptions) {
    if (!options.transport)
      throw new TypeError('a transport factory is required; use connect() from the package entry');
    this.url = new URL(url);
    this.options = options;
    this.transport = options.transport;
  }

  /** Connects and handshakes; resolves with the client once it is ready for requests. */
  static async connect<R extends RouteMap = AnyRoutes>(
    url: string | URL,
    options: ClientOptions,
  ): Promise<PitayaClient<R>> {
    const client = new PitayaClient<R>(url, options);
    await client.open();
    return client;
  }

  get connected(): boolean {
    return this.state === 'open';
  }

  /** Serializer the server announced: `json` or `protobuf`. */
  get serializerName(): string | undefined {
    return this.serializer?.name;
  }

  async open(): Promise<void> {
    if (this.state === 'open') return;
    await this.establish();
    this.state = 'open';
  }

  /** Sends a Request and resolves with the decoded Response; a server error rejects with PitayaError. */
  request<K extends RequestRoute<R>>(
    route: K,
    body?: RequestBody<R, K>,
    options: RequestOptions = {},
  ): Promise<ResponseBody<R, K>> {
    return new Promise((resolve, reject) => {
      const link = this.readyLink();
      // encoded before it is registered: a body that cannot be encoded rejects here, with nothing to clean up
      const encoded = this.codec.encode(route, body);
      const timeout = options.timeout ?? this.options.requestTimeout ?? 10_000;
      const id = this.pending.add({ route, raw: options.raw ?? false, resolve: resolve, reject }, timeout);
      link.send(this.frame({ type: MessageType.Request, id, route, body: encoded, error: false }));
    });
  }

  /** Sends a Notify: no answer, not even an error. */
  notify<K extends NotifyRoute<R>>(route: K, body?: R['notifies'][K]): void {
    const link = this.readyLink();
    const encoded = this.codec.encode(route, body);
    link.send(this.frame({ type: MessageType.Notify, id: 0, route, body: encoded, error: false }));
  }

  /** Listens to pushes of a route; returns a function that stops listening. */
  on<K extends PushRoute<R>>(route: K, handler: (body: R['pushes'][K]) => void): () => void {
    return this.pushHandlers.add(route, handler);
  }

  /**
   * Listens to every push, whatever its route (REPLs, recorders); returns a function that stops
   * listening. A push whose body cannot be decoded (a protobuf route without a type) is an `error` event.
   */
  onAnyPush(handler: (route: string, body: unknown) => void): () => void {
    return this.pushHandlers.addAny(handler);
  }

  /** Closes for good: no reconnect; requests in flight reject. Resolves once the connection is gone. */
  close(): Promise<void> {
    const wasClosed = this.state === 'closed';
    this.state = 'closed';
    const link = this.link;
    if (!link?.transport) {
      if (!wasClosed) this.events.emit('close', { code: 'CLOSED_BY_CLIENT', message: 'closed by client' }, false);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      link.closed = resolve;
      this.lose(link, { code: 'CLOSED_BY_CLIENT', message: 'closed by client' });
    });
  }

  /** The body serializer the handshake chose; there is none before it. */
  private get codec(): BodySerializer {
    if (!this.serializer) throw new ClientError('NOT_CONNECTED', `not connected (${this.state})`);
    return this.serializer;
  }

  /** A call, not a narrowed read: `close()` may change the state while a reconnect awaits. */
  private reconnecting(): boolean {
    return this.state === 'reconnecting';
  }

  private readyLink(): Transport {
    const transport = this.link?.transport;
    if (this.state !== 'open' || !transport) {
      throw new ClientError('NOT_CONNECTED', `not connected (${this.state})`);
    }
    return transport;
  }

  private frame(message: Message): Uint8Array {
    return encodeDataPacket(message, { dictionary: this.dictionary, compress: this.options.compress });
  }

  /** Opens a transport and runs the handshake; the link becomes current once the ack is sent. */
  private establish(): Promise<void> {
    const timeout = this.options.timeout ?? 10_000;
    const link: Link = {};
    this.link = link;
    return new Promise<void>((resolve, reject) => {
      let handshaking = true;
      const fail = (error: Error) => {
        if (!handshaking) return;
        handshaking = false;
        clearTimeout(timer);
        if (this.link === link) this.link = undefined;
        link.transport?.close();
        reject(error);
      };
      const timer = setTimeout(
        () => fail(new ClientError('TIMEOUT', `no handshake from ${this.url.href} within ${timeout} ms`)),
        timeout,
      );

      const onPacket = (packet: Packet) => {
        if (this.link !== link) return;
        this.lastReceived = Date.now();
        if (!handshaking) {
          this.onPacket(link, packet);
          return;
        }
        if (packet.type !== PacketType.Handshake) {
          fail(new ClientError('HANDSHAKE_FAILED', `expected the handshake reply, got packet type ${packet.type}`));
          return;
        }
        try {
          this.applyHandshake(decodeHandshakeResponse(packet.body));
        } catch (err) {
          fail(err instanceof ClientError ? err : new ClientError('HANDSHAKE_FAILED', errorMessage(err)));
          return;
        }
        handshaking = false;
        clearTimeout(timer);
        link.transport?.send(handshakeAckPacket());
        this.startHeartbeat(link);
        resolve();
      };
      const onClose = (reason: string) => {
        link.closed?.();
        if (handshaking) {
          fail(new ClientError('CONNECT_FAILED', `connection closed during the handshake: ${reason}`));
          return;
        }
        if (this.link === link) this.lose(link, { code: 'TRANSPORT_CLOSED', message: reason });
      };

      const { maxPacketSize = 0x1000000, tls } = this.options;
      this.transport(this.url, { onPacket, onClose }, { maxPacketSize, tls }).then(
        (transport) => {
          link.transport = transport;
          if (!handshaking) return transport.close();
          transport.send(encodePacket(PacketType.Handshake, encodeHandshakeRequest(this.handshakeRequest())));
        },
        (err: unknown) => fail(new ClientError('CONNECT_FAILED', errorMessage(err))),
      );
    });
  }

  private handshakeRequest() {
    const sys: HandshakeSys = {
      platform: typeof window === 'undefined' ? 'node' : 'browser',
      libVersion: LIB_VERSION,
      clientBuildNumber: '1',
      clientVersion: LIB_VERSION,
      ...this.options.sys,
    };
    return { sys, user: this.options.handshakeData ?? {} };
  }

  private applyHandshake(reply: HandshakeResponse): void {
    if (reply.code !== HANDSHAKE_OK) {
      throw new ClientError('HANDSHAKE_FAILED', `the server refused the handshake (code ${reply.code})`);
    }
    const sys = reply.sys ?? {};
    this.serializer = serializerFor(sys.serializer, this.options.protobuf);
    // libpitaya honours useDict: false; pomelo-family servers send only dict
    this.dictionary = sys.dict && sys.useDict !== false ? new RouteDictionary(sys.dict) : undefined;
    this.handshake = reply;
  }

  private startHeartbeat(link: Link): void {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-conversion -- the server's JSON is not checked field by field
    const seconds = Number(this.handshake?.sys?.heartbeat ?? 0);
    if (!(seconds > 0)) return;
    const interval = seconds * 1000;
    let lastTick = Date.now();
    this.heartbeatTimer = setInterval(() => {
      const now = Date.now();
      // a timer late by half an interval or more (a busy process, a background browser tab):
      // what the server sent meanwhile may still be unread, so its silence proves nothing yet
      const judge = now - lastTick < 1.5 * interval;
      lastTick = now;
      if (judge && now - this.lastReceived > 2 * interval) {
        this.lose(link, { code: 'HEARTBEAT_TIMEOUT', message: `the server sent nothing for ${2 * seconds} s` });
        return;
      }
      link.transport?.send(heartbeatPacket());
    }, interval);
  }

  private onPacket(link: Link, packet: Packet): void {
    switch (packet.type) {
      case PacketType.Heartbeat:
      case PacketType.HandshakeAck:
        return;
      case PacketType.Kick: {
        const reason = decodeKickReason(packet.body);
        this.events.emit('kick', reason);
        return this.lose(link, { code: 'KICKED', message: reason ? `kicked: ${reason}` : 'kicked by the server' });
      }
      case PacketType.Data:
        return this.onData(link, packet.body);
      default:
        return this.lose(link, { code: 'PROTOCOL_ERROR', message: `unexpected packet type ${packet.type}` });
    }
  }

  private onData(link: Link, bytes: Uint8Array): void {
    let message: Message;
    try {
      message = decodeMessage(bytes, { dictionary: this.dictionary });
    } catch (err) {
      return this.lose(link, { code: 'PROTOCOL_ERROR', message: errorMessage(err) });
    }
    if (message.type === MessageType.Response) return this.onResponse(message);
    if (message.type === MessageType.Push) return this.onPush(message);
    this.events.emit(
      'error',
      new ClientError('SERIALIZATION', `unexpected ${message.type === 0 ? 'request' : 'notify'} from the server`),
    );
  }

  private onResponse({ id, body, error }: Message): void {
    const pending = this.pending.take(id);
    if (!pending) return; // answered after its timeout
    if (error) return pending.reject(this.codec.decodeError(body));
    if (pending.raw) return pending.resolve(body);
    try {
      pending.resolve(this.codec.decodeResponse(pending.route, body));
    } catch (err) {
      pending.reject(err);
    }
  }

  private onPush({ route, body }: Message): void {
    this.pushHandlers.deliver(
      route,
      () => this.codec.decodePush(route, body),
      (error) => this.events.emit('error', error),
    );
  }

  /** The link is gone (or going): settle everything that waited on it, then maybe reconnect. */
  private lose(link: Link, reason: CloseReason): void {
    if (this.link !== link) return;
    this.link = undefined;
    clearInterval(this.heartbeatTimer);
    link.transport?.close();
    this.pending.rejectAll(new ClientError('DISCONNECTED', `connection lost before the answer: ${reason.message}`));
    const reconnecting = this.state === 'open' && reason.code !== 'KICKED' && !!this.options.reconnect;
    if (this.state === 'open') this.state = reconnecting ? 'reconnecting' : 'closed';
    this.events.emit('close', reason, reconnecting);
    if (reconnecting) void this.reconnect();
  }

  private async reconnect(): Promise<void> {
    const options = typeof this.options.reconnect === 'object' ? this.options.reconnect : {};
    const retries = options.retries ?? Infinity;
    for (let attempt = 0; attempt < retries && this.reconnecting(); attempt++) {
      const delay = backoffDelay(attempt, options);
      this.events.emit('reconnecting', attempt + 1, delay);
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (!this.reconnecting()) return;
      try {
        await this.establish();
      } catch {
        continue;
      }
      if (!this.reconnecting()) {
        this.link?.transport?.close();
        return;
      }
      this.state = 'open';
      this.events.emit('reconnect');
      return;
    }
    if (this.state === 'reconnecting') {
      this.state = 'closed';
      this.events.emit(
        'close',
        { code: 'TRANSPORT_CLOSED', message: `gave up reconnecting after ${retries} attempts` },
        false,
      );
    }
  }
}
