import type { ServiceIdentifier } from 'inversify';
import type { Logger } from '../logging/logger';
import type { RpcClient } from '../rpc/rpc-client';
import type { ServerInfo } from '../rpc/service-discovery';
import type { FrontendSession } from '../session/frontend-session';

/**
 * Tells the other frontends that a uid is bound here (unique sessions), with the bind's time: the
 * wall clock, kept past every bind announced here so far (a Lamport clock). A bind made here after
 * an announcement arrived is stamped later than it, however far the announcer's clock runs ahead,
 * so the newer login is the one kept.
 */
export class BindAnnouncer {
  private latest = 0;

  constructor(
    private readonly self: ServerInfo,
    private readonly rpcClient: RpcClient,
    private readonly logger: Logger,
  ) {}

  /** Another frontend announced a bind made at `time`. */
  saw(time: number): void {
    if (time > this.latest) this.latest = time;
  }

  /** Moves the session's bind time past every bind heard of, then announces it. */
  announce(session: FrontendSession, uid: string): Promise<void> {
    this.latest = Math.max(Date.now(), session.boundAt ?? 0, this.latest + 1);
    session.boundAt = this.latest;
    return this.send(uid, this.latest);
  }

  /** Announces again a session kept against another frontend's announcement. */
  again(uid: string, boundAt: number): void {
    void this.send(uid, boundAt);
  }

  private send(uid: string, boundAt: number): Promise<void> {
    // an announcement that cannot go (NATS or the storage away) still lets the user be reached
    return this.rpcClient
      .announceBind(this.self.type, { uid, fid: this.self.id, boundAt })
      .catch((err: unknown) => this.logger.warn({ err, uid }, 'cannot announce a bind to the other frontends'));
  }
}

/** The announcer the cluster's wiring announces binds with and its request handler answers them by. */
export const BIND_ANNOUNCER: ServiceIdentifier<BindAnnouncer> = Symbol('BindAnnouncer');
