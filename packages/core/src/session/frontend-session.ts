import type { HandshakeRequest } from '@pitaya-ts/protocol';
import type { PreparedPush } from '../agent/outbound';
import { ErrorCode, PitayaError } from '../errors/pitaya-error';
import type { Session } from './session';

/** What a frontend session needs from its connection. */
export interface SessionLink {
  readonly remoteAddress: string;
  push(route: string, body: unknown): void;
  /** A push already serialized and encoded (broadcasts). */
  sendPrepared(push: PreparedPush): void;
  kick(reason?: string): void;
}

/** What a frontend session needs from its pool. */
export interface SessionBinder {
  bind(session: FrontendSession, uid: string): Promise<void>;
}

type CloseCallback = () => void | Promise<void>;

/** The session of a connection on this frontend. Its data keeps values as they are (no copies). */
export class FrontendSession implements Session {
  readonly frontend = true;
  uid: string | undefined;
  handshake: HandshakeRequest | undefined;
  closed = false;
  private values = new Map<string, unknown>();
  private closeCallbacks: CloseCallback[] = [];

  constructor(
    readonly id: number,
    readonly frontendId: string,
    private readonly link: SessionLink,
    private readonly binder: SessionBinder,
  ) {}

  get remoteAddress(): string {
    return this.link.remoteAddress;
  }

  bind(uid: string): Promise<void> {
    return this.binder.bind(this, uid);
  }

  get<T = unknown>(key: string): T | undefined {
    return this.values.get(key) as T | undefined;
  }

  set(key: string, value: unknown): void {
    this.values.set(key, value);
  }

  has(key: string): boolean {
    return this.values.has(key);
  }

  remove(key: string): void {
    this.values.delete(key);
  }

  clear(): void {
    this.values.clear();
  }

  data(): Record<string, unknown> {
    return Object.fromEntries(this.values);
  }

  setData(data: Record<string, unknown>): void {
    this.values = new Map(Object.entries(data));
  }

  async push(route: string, body: unknown): Promise<void> {
    if (this.closed) throw new PitayaError(ErrorCode.ConnectionClosed, `session ${this.id} is closed`);
    this.link.push(route, body);
  }

  /** Sends a push encoded once for many sessions. */
  sendPrepared(push: PreparedPush): void {
    if (!this.closed) this.link.sendPrepared(push);
  }

  async kick(reason?: string): Promise<void> {
    if (!this.closed) this.link.kick(reason);
  }

  onClose(callback: CloseCallback): void {
    this.closeCallbacks.push(callback);
  }

  async pushToFront(): Promise<void> {
    // the data already lives here
  }

  /** Runs the session's close callbacks once; errors are returned for the caller to log. */
  async runCloseCallbacks(): Promise<unknown[]> {
    const errors: unknown[] = [];
    const callbacks = this.closeCallbacks;
    this.closeCallbacks = [];
    for (const callback of callbacks) {
      try {
        await callback();
      } catch (err) {
        errors.push(err);
      }
    }
    return errors;
  }
}
