import pino from 'pino';
import { connect, type ClientOptions, type PitayaClient, type CloseReason } from '@pitaya-ts/client';
import type { Packet } from '@pitaya-ts/protocol';
import {
  AcceptorWrapper,
  TOKENS,
  WrappedConnection,
  type Acceptor,
  type ConnectionHandlers,
  type PitayaApp,
  type PlayerConnection,
} from '@pitaya-ts/core';
import { createChatServer } from '../src/chat-server';
import { Inbox, PinusClient, withTimeout, type PinusClientOptions, type Transport } from './pinus-client';

export { Inbox, withTimeout };
export const TRANSPORTS: Transport[] = ['ws', 'tcp'];
export const PUSH_ROUTES = ['onJoin', 'onMessage', 'onLeave'] as const;

/** Where clients connect. */
export interface Endpoint {
  port(transport: Transport): number;
  url(transport: Transport): string;
}

export interface ChatServer extends Endpoint {
  app: PitayaApp;
  stop(): Promise<void>;
}

export function endpoint(ports: Record<Transport, number>): Endpoint {
  return { port: (t) => ports[t], url: (t) => `${t}://127.0.0.1:${ports[t]}` };
}

export interface StartOptions {
  /** Parsed warnings and errors of the server go here. */
  logs?: LogLine[];
  /** Every packet the server receives goes here, by transport. */
  inbound?: InboundPacket[];
}

export interface InboundPacket {
  transport: string;
  packet: Packet;
}

/** A connection that records what it receives before the server sees it. */
class RecordingConnection extends WrappedConnection {
  constructor(
    inner: PlayerConnection,
    private readonly record: (packet: Packet) => void,
  ) {
    super(inner);
  }

  protected onPacket(packet: Packet, handlers: ConnectionHandlers): void {
    this.record({ type: packet.type, body: packet.body.slice() });
    handlers.onPacket(packet);
  }
}

class RecordingAcceptor extends AcceptorWrapper {
  constructor(
    inner: Acceptor,
    private readonly record: InboundPacket[],
  ) {
    super(inner);
  }

  protected wrap(connection: PlayerConnection): PlayerConnection {
    return new RecordingConnection(connection, (packet) => this.record.push({ transport: this.protocol, packet }));
  }
}

/** A pino log line, parsed. */
export type LogLine = Record<string, unknown> & { msg: string; level: number };

/** The chat server on free ports; `config` overrides the defaults. It logs nothing unless asked to. */
export async function startChat(
  config: Record<string, unknown> = {},
  { logs, inbound }: StartOptions = {},
): Promise<ChatServer> {
  const app = await createChatServer({
    wsPort: 0,
    tcpPort: 0,
    handleSignals: false,
    config: { 'pitaya.log.level': 'silent', ...config },
  });
  if (logs) {
    const logger = pino({ level: 'warn' }, { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) });
    app.container.rebind(TOKENS.Logger).toConstantValue(logger);
  }
  if (inbound) {
    const acceptors = app.acceptors;
    acceptors.splice(0, acceptors.length, ...acceptors.map((a) => new RecordingAcceptor(a, inbound)));
  }
  await app.start();
  return serverOf(app);
}

/** Ports and URLs of a started app, found by acceptor protocol. */
export function serverOf(app: PitayaApp): ChatServer {
  const port = (transport: Transport) => {
    const acceptor = app.acceptors.find((a) => a.protocol === transport);
    if (!acceptor) throw new Error(`no ${transport} acceptor`);
    return acceptor.address()!.port;
  };
  return {
    app,
    port,
    url: (transport) => `${transport}://127.0.0.1:${port(transport)}`,
    stop: () => app.stop(),
  };
}

/** An error answer, whichever client received it. */
export interface WireFailure {
  code: string;
  msg: string;
  metadata?: Record<string, string>;
}

class ServerError extends Error implements WireFailure {
  constructor(
    readonly code: string,
    readonly msg: string,
    readonly metadata?: Record<string, string>,
  ) {
    super(`${code}: ${msg}`);
  }
}

export type ClientKind = 'client' | 'pinus';
export const CLIENT_KINDS: ClientKind[] = ['client', 'pinus'];

/** One chat participant, driven through either client. */
export interface Peer {
  readonly label: string;
  /** Resolves with the response body; an error answer rejects with its {code, msg, metadata}. */
  request(route: string, body?: unknown): Promise<unknown>;
  notify(route: string, body: unknown): void;
  /** The oldest push of the route not yet taken. */
  nextPush(route: string, timeout?: number): Promise<unknown>;
  /** Pushes of the route received and not yet taken. */
  pending(route: string): unknown[];
  /** Resolves once the connection is gone. */
  readonly closed: Promise<void>;
  readonly isClosed: boolean;
  close(): Promise<void>;
}

export class ClientPeer implements Peer {
  readonly closed: Promise<void>;
  isClosed = false;
  closeReason: CloseReason | undefined;
  readonly kicks: (string | undefined)[] = [];
  private readonly pushes = new Inbox<{ route: string; body: unknown }>();

  constructor(
    readonly client: PitayaClient,
    readonly label: string,
  ) {
    for (const route of PUSH_ROUTES) client.on(route, (body) => this.pushes.put({ route, body }));
    client.events.on('kick', (reason) => this.kicks.push(reason));
    this.closed = new Promise((resolve) =>
      client.events.on('close', (reason) => {
        this.isClosed = true;
        this.closeReason = reason;
        resolve();
      }),
    );
  }

  request(route: string, body: unknown = {}): Promise<unknown> {
    return this.client.request(route, body, { timeout: 10_000 });
  }

  notify(route: string, body: unknown): void {
    this.client.notify(route, body);
  }

  async nextPush(route: string, timeout = 10_000): Promise<unknown> {
    return (await this.pushes.take((p) => p.route === route, timeout, `${this.label}: a push of ${route}`)).body;
  }

  pending(route: string): unknown[] {
    return this.pushes.pending((p) => p.route === route).map((p) => p.body);
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

export class PinusPeer implements Peer {
  constructor(
    readonly client: PinusClient,
    readonly label: string,
  ) {}

  get closed(): Promise<void> {
    return this.client.closed;
  }

  get isClosed(): boolean {
    return this.client.isClosed;
  }

  async request(route: string, body: unknown = {}): Promise<unknown> {
    const response = await this.client.request(route, body);
    if (!response.error) return response.body;
    const { code, msg, metadata } = response.body as WireFailure;
    throw new ServerError(code, msg, metadata);
  }

  notify(route: string, body: unknown): void {
    this.client.notify(route, body);
  }

  async nextPush(route: string, timeout = 10_000): Promise<unknown> {
    return (await this.client.nextPush(route, timeout)).body;
  }

  pending(route: string): unknown[] {
    return this.client.pendingPushes(route).map((p) => p.body);
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

export async function clientPeer(server: Endpoint, transport: Transport, options: ClientOptions = {}) {
  const client = await connect(server.url(transport), { timeout: 10_000, ...options });
  return new ClientPeer(client, `client/${transport}`);
}

export async function pinusPeer(server: Endpoint, transport: Transport, options: PinusClientOptions = {}) {
  const client = await PinusClient.connect(transport, server.port(transport), options);
  if (client.handshakeReply.code !== 200) throw new Error(`handshake refused: ${client.handshakeReply.code}`);
  return new PinusPeer(client, `pinus/${transport}`);
}

export function peer(server: Endpoint, kind: ClientKind, transport: Transport): Promise<Peer> {
  return kind === 'client' ? clientPeer(server, transport) : pinusPeer(server, transport);
}

/** Joins under `name`; resolves with the members the server answered. */
export async function join(p: Peer, name: string): Promise<string[]> {
  const { members } = (await p.request('chat.room.join', { name })) as { members: string[] };
  return members;
}

/**
 * Sends `text` from `from` and checks every peer in `to` receives it. Nothing else is pending
 * between them, so this proves the connections still work end to end.
 */
export async function exchange(from: Peer, fromName: string, to: Peer[], text: string): Promise<void> {
  from.notify('chat.room.send', { text });
  for (const p of to) {
    await expect(p.nextPush('onMessage')).resolves.toEqual({ from: fromName, text });
  }
}

/** Two peers in the room, joined as `bob` and `carol`, for tests that hurt a third connection. */
export async function bystanders(server: ChatServer, transport: Transport): Promise<[Peer, Peer]> {
  const bob = await clientPeer(server, transport);
  const carol = await pinusPeer(server, transport);
  await join(bob, 'bob');
  await join(carol, 'carol');
  await bob.nextPush('onJoin'); // carol's arrival
  return [bob, carol];
}

/** Closes whatever is still open; never throws. */
export async function closeAll(...items: ({ close(): Promise<void> } | undefined)[]): Promise<void> {
  await Promise.all(items.map(async (item) => item?.close().catch(() => undefined)));
}
