import 'reflect-metadata';
import * as net from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import WebSocket from 'ws';
import { connect, type ClientOptions, type PitayaClient } from '@pitaya-ts/client';
import {
  decodeHandshakeResponse,
  encodeHandshakeRequest,
  encodePacket,
  handshakeAckPacket,
  PacketStreamDecoder,
  PacketType,
  type HandshakeResponse,
  type HandshakeSys,
  type Packet,
} from '@pitaya-ts/protocol';
import {
  bootstrap,
  TcpAcceptor,
  WsAcceptor,
  type Acceptor,
  type BootstrapOptions,
  type Labels,
  type Logger,
  type MetricsReporter,
  type PitayaApp,
} from '@pitaya-ts/core';
import { waitFor } from '@pitaya-ts/testing';

export { waitFor };

export const SILENT = { 'pitaya.log.level': 'silent' } as const;

/** A promise with its resolve and reject in hand. */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A well-behaved client that keeps one request in flight the whole time, to show that what
 * another connection does leaves it served: how many answers it got, its failures, its longest wait.
 */
export class ControlClient {
  answered = 0;
  readonly failures: unknown[] = [];
  longestMs = 0;
  private running = true;
  private readonly done: Promise<void>;

  constructor(
    private readonly client: PitayaClient,
    private readonly route: string,
    private readonly body: unknown = {},
  ) {
    this.done = this.talk();
  }

  private async talk(): Promise<void> {
    // a closed client fails at once: going on would spin without ever yielding to I/O
    while (this.running && this.client.connected) {
      const sent = performance.now();
      try {
        await this.client.request(this.route, this.body, { timeout: 10_000 });
        this.answered++;
      } catch (err) {
        this.failures.push(err);
      }
      this.longestMs = Math.max(this.longestMs, performance.now() - sent);
    }
  }

  /** Stops after the request in flight, and asserts the client was served: answers, no failure, no long wait. */
  async expectServed(longestMs = 5000): Promise<void> {
    this.running = false;
    await this.done;
    expect(this.failures).toEqual([]);
    expect(this.answered).toBeGreaterThan(0);
    expect(this.longestMs).toBeLessThan(longestMs);
  }
}

/** The URL a client connects to for an app's acceptor. */
export function urlOf(app: PitayaApp, index = 0): string {
  const acceptor = app.acceptors[index]!;
  const address = acceptor.address();
  if (!address) throw new Error(`acceptor ${index} is not listening`);
  return `${acceptor.protocol === 'tcp' ? 'tcp' : 'ws'}://127.0.0.1:${address.port}`;
}

export const wsAcceptor = (): Acceptor => new WsAcceptor({ host: '127.0.0.1', port: 0 });
export const tcpAcceptor = (): TcpAcceptor => new TcpAcceptor({ host: '127.0.0.1', port: 0 });

export type ServerOptions = Partial<BootstrapOptions> & {
  /** Called between bootstrap and start: rebind tokens, register session callbacks. */
  beforeStart?: (app: PitayaApp) => void | Promise<void>;
};

/**
 * Builds and starts servers and connects clients, and takes them all down in `cleanup()`
 * (call it from afterEach).
 */
export class Harness {
  readonly apps: PitayaApp[] = [];
  readonly clients: PitayaClient[] = [];

  /** Bootstraps an app (serverType `game`, one WebSocket acceptor, silent logs) without starting it. */
  async build(options: ServerOptions = {}): Promise<PitayaApp> {
    // eslint-disable-next-line @typescript-eslint/no-unused-vars -- beforeStart is for start(), not bootstrap()
    const { beforeStart, ...rest } = options;
    const app = await bootstrap({
      serverType: 'game',
      acceptors: [wsAcceptor()],
      handleSignals: false,
      env: {},
      ...rest,
      config: { ...SILENT, ...options.config },
    });
    this.apps.push(app);
    return app;
  }

  /** Bootstraps and starts an app. */
  async server(options: ServerOptions = {}): Promise<PitayaApp> {
    const app = await this.build(options);
    await options.beforeStart?.(app);
    await app.start();
    return app;
  }

  async client(app: PitayaApp, options: ClientOptions = {}, acceptor = 0): Promise<PitayaClient> {
    const client = await connect(urlOf(app, acceptor), options);
    this.clients.push(client);
    return client;
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.clients.splice(0).map((c) => c.close()));
    for (const app of this.apps.splice(0)) await app.stop();
  }
}

export interface Report {
  kind: 'count' | 'gauge' | 'summary' | 'histogram';
  metric: string;
  labels: Labels;
  value: number;
}

/** A MetricsReporter that keeps every report. */
export class RecordingReporter implements MetricsReporter {
  readonly reports: Report[] = [];
  started = false;
  stopped = false;

  reportCount(metric: string, labels: Labels, value: number): void {
    this.reports.push({ kind: 'count', metric, labels, value });
  }
  reportGauge(metric: string, labels: Labels, value: number): void {
    this.reports.push({ kind: 'gauge', metric, labels, value });
  }
  reportSummary(metric: string, labels: Labels, value: number): void {
    this.reports.push({ kind: 'summary', metric, labels, value });
  }
  reportHistogram(metric: string, labels: Labels, value: number): void {
    this.reports.push({ kind: 'histogram', metric, labels, value });
  }
  async start(): Promise<void> {
    this.started = true;
  }
  async stop(): Promise<void> {
    this.stopped = true;
  }

  of(metric: string): Report[] {
    return this.reports.filter((r) => r.metric === metric);
  }
}

/** A pino logger whose JSON lines are kept in `lines`. */
export function captureLogger(level = 'trace'): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  let pending = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      pending += chunk.toString('utf8');
      let newline: number;
      while ((newline = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return { logger: pino({ level }, stream), lines };
}

/** A client speaking the wire protocol by hand over TCP: to see the bytes, or to misbehave. */
export class RawClient {
  private static readonly everyOpen: RawClient[] = [];
  readonly packets: Packet[] = [];
  /** Resolves with the time the server closed the connection. */
  readonly closed: Promise<number>;
  private readonly decoder = new PacketStreamDecoder({ maxPacketSize: 1 << 24 });

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk) => this.packets.push(...this.decoder.push(chunk)));
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => socket.once('close', () => resolve(Date.now())));
  }

  /** Connects to the app's first acceptor, which must be a TcpAcceptor. */
  static async open(app: PitayaApp): Promise<RawClient> {
    const socket = net.connect(app.acceptors[0]!.address()!.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const client = new RawClient(socket);
    RawClient.everyOpen.push(client);
    return client;
  }

  static destroyAll(): void {
    for (const client of RawClient.everyOpen.splice(0)) client.socket.destroy();
  }

  send(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** Handshake (as a Pitaya client unless `sys` says otherwise) and ack; resolves with the reply. */
  async handshake(sys: HandshakeSys = { platform: 'raw' }): Promise<HandshakeResponse> {
    this.send(encodePacket(PacketType.Handshake, encodeHandshakeRequest({ sys, user: {} })));
    await waitFor(() => this.packets.some((p) => p.type === PacketType.Handshake), 'the handshake reply');
    this.send(handshakeAckPacket());
    return decodeHandshakeResponse(this.packets.find((p) => p.type === PacketType.Handshake)!.body);
  }

  /** The Data packets received so far. */
  data(): Packet[] {
    return this.packets.filter((p) => p.type === PacketType.Data);
  }
}

interface FrameOptions {
  fin: boolean;
  opcode: number;
  mask: boolean;
  readOnly: boolean;
  rsv1: boolean;
}
/** The `ws` package's frame encoder, which its clients send with (its type declarations leave it out). */
const { Sender } = WebSocket as unknown as { Sender: { frame(data: Buffer, options: FrameOptions): Buffer[] } };

/** A client's WebSocket frame as the `ws` package writes it: masked, with a random key each time. */
export function clientFrame(payload: Uint8Array | string, opcode = 0x2, fin = true): Buffer {
  const data = Buffer.from(payload);
  return Buffer.concat(Sender.frame(data, { fin, opcode, mask: true, readOnly: true, rsv1: false }));
}
