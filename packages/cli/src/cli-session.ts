import { ClientError, connect, errorMessage, PitayaError, type PitayaClient } from '@pitaya-ts/client';
import type { ProtobufTypes } from './protobuf-types';

/** Where the session's lines go: the REPL's terminal, or stdout/stderr for `--file`. */
export interface Output {
  print(line: string): void;
  error(line: string): void;
}

/** What `sethandshake` takes, as pitaya-cli does: `{"sys": {...}, "user": {...}}`. */
export interface HandshakeData {
  sys?: Record<string, unknown>;
  user?: Record<string, unknown>;
}

export interface CliSessionOptions {
  /** Types for protobuf servers (`--proto`, `--types`). */
  protobuf?: ProtobufTypes;
  /** Connect and request deadline, in ms. */
  timeout?: number;
}

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/** A printable body: JSON on one line, so a push stays one line of the terminal. */
export const show = (body: unknown): string => (body === undefined ? '(no body)' : JSON.stringify(body));

/** One connection at a time, driven by commands; answers and pushes go to the output as they come. */
export class CliSession {
  private client: PitayaClient | undefined;
  private handshake: HandshakeData = {};

  constructor(
    private readonly out: Output,
    private readonly options: CliSessionOptions = {},
  ) {}

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  /** `ws://`, `wss://`, `tcp://`, `tls://`, or `host:port` for TCP as pitaya-cli takes it. */
  async connect(address: string): Promise<void> {
    if (this.client?.connected) throw new Error('already connected: disconnect first');
    const url = SCHEME.test(address) ? address : `tcp://${address}`;
    const client = await connect(url, {
      handshakeData: this.handshake.user,
      sys: this.handshake.sys,
      protobuf: this.options.protobuf?.routes,
      timeout: this.options.timeout,
      requestTimeout: this.options.timeout,
    });
    this.client = client;
    client.onAnyPush((route, body) => this.out.print(`push ${route}: ${show(body)}`));
    client.events.on('error', (err) => this.out.error(`push: ${this.explain(err)}`));
    client.events.on('close', (reason) => {
      if (reason.code !== 'CLOSED_BY_CLIENT') this.out.print(`disconnected: ${reason.message}`);
    });
    const routes = Object.keys(client.handshake?.sys?.dict ?? {}).length;
    this.out.print(`connected to ${url} (${client.serializerName}, ${routes} routes in the dictionary)`);
  }

  /** Prints the answer; an error answer throws, with its code, message and metadata. */
  async request(route: string, body: unknown): Promise<void> {
    const client = this.ready();
    let answer: unknown;
    try {
      answer = await client.request(route, body);
    } catch (err) {
      if (PitayaError.is(err)) {
        const metadata = Object.keys(err.metadata).length ? ` ${JSON.stringify(err.metadata)}` : '';
        throw new Error(`${route}: ${err.code} ${err.msg}${metadata}`, { cause: err });
      }
      throw new Error(`${route}: ${this.explain(err)}`, { cause: err });
    }
    this.out.print(`response ${route}: ${show(answer)}`);
  }

  notify(route: string, body: unknown): void {
    try {
      this.ready().notify(route, body);
    } catch (err) {
      throw new Error(`${route}: ${this.explain(err)}`, { cause: err });
    }
    this.out.print(`notified ${route}`);
  }

  /** Takes effect at the next connect. */
  setHandshake(data: HandshakeData): void {
    this.handshake = data;
    this.out.print(this.connected ? 'handshake set: it applies to the next connect' : 'handshake set');
  }

  /** pitaya-cli's `push <route> <type>`: the protobuf type of a push route. */
  setPushType(route: string, typeName: string): void {
    if (!this.options.protobuf) throw new Error('push types need the .proto files: start with --proto <file>');
    this.options.protobuf.add('pushes', route, typeName);
    this.out.print(`push ${route} decodes as ${typeName}`);
  }

  async disconnect(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client?.connected) throw new Error('not connected');
    await client.close();
    this.out.print('disconnected');
  }

  /** Routes of the handshake dictionary and of the protobuf types: what completion offers. */
  routes(): string[] {
    const dict = this.client?.handshake?.sys?.dict ?? {};
    return [...new Set([...Object.keys(dict), ...(this.options.protobuf?.knownRoutes() ?? [])])].sort();
  }

  /** Closes quietly, for exit. */
  async close(): Promise<void> {
    await this.client?.close();
    this.client = undefined;
  }

  private ready(): PitayaClient {
    if (!this.client?.connected) throw new Error('not connected: connect <url> first');
    return this.client;
  }

  private explain(err: unknown): string {
    if (err instanceof ClientError && err.code === 'SERIALIZATION' && this.client?.serializerName === 'protobuf') {
      return `${err.message} (pitaya-cli: --proto and --types, or push <route> <type>)`;
    }
    return errorMessage(err);
  }
}
