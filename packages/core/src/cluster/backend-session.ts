import type { HandshakeRequest } from '@pitaya-ts/protocol';
import { PitayaError } from '../errors/pitaya-error';
import type { RpcSession } from '../wire/rpc-messages';
import { checkBind } from '../session/bind-check';
import type { Session } from '../session/session';
import { SessionValues } from '../session/session-values';

/** What a backend session asks of the cluster: RPCs to its frontend, pushes to its user. */
export interface BackendSessionOps {
  bindOnFrontend(frontendId: string, snapshot: RpcSession): Promise<void>;
  pushSessionToFrontend(frontendId: string, snapshot: RpcSession): Promise<void>;
  kickOnFrontend(frontendId: string, uid: string): Promise<void>;
  pushToUser(frontendId: string, uid: string, route: string, body: unknown): Promise<void>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The session data as it travels: a JSON object (Pitaya's Session.data). */
export function encodeSessionData(data: Record<string, unknown>): Uint8Array {
  return encoder.encode(JSON.stringify(data));
}

export function decodeSessionData(bytes: Uint8Array | undefined): Record<string, unknown> {
  if (!bytes || bytes.length === 0) return {};
  const value: unknown = JSON.parse(decoder.decode(bytes));
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/**
 * A backend's short-lived copy of a frontend session (Pitaya's remote session). Data changes stay
 * here until `pushToFront()`; `bind()` binds on the frontend, running its bind callbacks there.
 */
export class BackendSession extends SessionValues implements Session {
  readonly frontend = false;
  readonly handshake: HandshakeRequest | undefined = undefined;
  readonly remoteAddress: string | undefined = undefined;

  constructor(
    readonly id: number,
    public uid: string | undefined,
    data: Record<string, unknown>,
    readonly frontendId: string,
    private readonly ops: BackendSessionOps,
    /** Told each session the frontend took (bind, `pushToFront`). */
    private readonly pushed?: (session: RpcSession) => void,
  ) {
    super();
    this.setData(data);
  }

  static fromSnapshot(
    snapshot: RpcSession | undefined,
    frontendId: string,
    ops: BackendSessionOps,
    pushed?: (session: RpcSession) => void,
  ): BackendSession {
    return new BackendSession(
      snapshot?.id ?? 0,
      // an unbound session's uid travels as ""
      snapshot?.uid === '' ? undefined : snapshot?.uid,
      decodeSessionData(snapshot?.data),
      frontendId,
      ops,
      pushed,
    );
  }

  private snapshot(uid = this.uid): RpcSession {
    return { id: this.id, uid: uid ?? '', data: encodeSessionData(this.data()) };
  }

  async bind(uid: string): Promise<void> {
    checkBind(this, uid);
    const session = this.snapshot(uid);
    await this.ops.bindOnFrontend(this.frontendId, session);
    this.uid = uid;
    this.pushed?.(session);
  }

  async pushToFront(): Promise<void> {
    const session = this.snapshot();
    await this.ops.pushSessionToFrontend(this.frontendId, session);
    this.pushed?.(session);
  }

  private boundUid(action: string): string {
    if (this.uid === undefined) throw PitayaError.badRequest(`cannot ${action} a session that is not bound to a uid`);
    return this.uid;
  }

  async push(route: string, body: unknown): Promise<void> {
    await this.ops.pushToUser(this.frontendId, this.boundUid('push to'), route, body);
  }

  async kick(): Promise<void> {
    await this.ops.kickOnFrontend(this.frontendId, this.boundUid('kick'));
  }

  onClose(): void {
    throw new Error('a backend session cannot watch its close: register onSessionClose on the frontend');
  }
}
