import type { HandshakeRequest } from '@pitaya-ts/protocol';

/**
 * A client's session, as handlers see it. On a frontend it is the session itself; on a backend it
 * is a short-lived copy whose data changes reach the frontend only through `pushToFront()`.
 */
export interface Session {
  readonly id: number;
  /** The user id once bound. */
  readonly uid: string | undefined;
  /** Id of the frontend server holding the connection. */
  readonly frontendId: string;
  readonly frontend: boolean;
  /** What the client sent in its handshake (`sys` and `user`). */
  readonly handshake: HandshakeRequest | undefined;
  readonly remoteAddress: string | undefined;

  /** Binds the session to a user id; refused when already bound. */
  bind(uid: string): Promise<void>;
  /** A value as set; `get<string>('room')` names the type the application stored there. */
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the public typed read
  get<T = unknown>(key: string): T | undefined;
  set(key: string, value: unknown): void;
  has(key: string): boolean;
  remove(key: string): void;
  clear(): void;
  /** A copy of the session data. */
  data(): Record<string, unknown>;
  /** Replaces the session data. */
  setData(data: Record<string, unknown>): void;
  /** Sends a Push to this session's client. */
  push(route: string, body: unknown): Promise<void>;
  /** Kicks the client: a Kick packet, then the connection closes. */
  kick(reason?: string): Promise<void>;
  /** Frontend only: called once when the session closes. */
  onClose(callback: () => void | Promise<void>): void;
  /** Backend only: sends the session data to the frontend. A frontend session has nothing to send. */
  pushToFront(): Promise<void>;
}
