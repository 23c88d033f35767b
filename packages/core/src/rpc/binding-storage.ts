/**
 * Where each user is connected (Pitaya's BindingStorage): an RPC transport that cannot publish to
 * a user's subject (gRPC) looks the user's frontend up here to push to, kick, or tell of a bind.
 */
export interface BindingStorage {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The id of the frontend of `frontendType` holding `uid`, if any. */
  frontendOf(frontendType: string, uid: string): Promise<string | undefined>;
  /** This frontend holds `uid` now. */
  bind(uid: string): Promise<void>;
  /** This frontend no longer holds `uid` (left as is when another frontend took it over). */
  unbind(uid: string): Promise<void>;
}
