import type { HandshakeRequest } from '@pitaya-ts/protocol';
import type { PreparedPush } from '../serialize/outbound';
import { ErrorCode, PitayaError } from '../errors/pitaya-error';
import type { Session } from './session';
import { SessionValues } from './session-values';

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
  /** The session is on its way out: its uid no longer finds it. */
  release(session: FrontendSession): void;
}

type CloseCallback = () => void | Promise<void>;

/** The session of a connection on this frontend. Its data keeps values as they are (no copies). */
export class FrontendSession extends SessionValues implements Session {
  readonly frontend = true;
  uid: string | undefined;
  /**
   * When the session took its uid (ms since the epoch; in a cluster, moved past every bind the
   * other frontends announced before it): of two sessions of a uid, the later bound is kept.
   */
  boundAt: number | undefined;
  handshake: HandshakeRequest | undefined;
  closed = false;
  private closeCallbacks: CloseCallback[] = [];

  constructor(
    readonly id: number,
    readonly frontendId: string,
    private readonly link: SessionLink,
    private readonly binder: SessionBinder,
  ) {
    super();
  }

  get remoteAddress(): string {
    return this.link.remoteAddress;
  }

  bind(uid: string): Promise<void> {
    return this.binder.bind(this, uid);
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
    if (this.closed) return;
    // from now on, pushes and kicks to the uid no longer count this session as reachable
    this.binder.release(this);
    this.link.kick(reason);
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
