import type { OutboundEncoder } from '../agent/outbound';
import type { Serializer } from '../serialize/serializer';
import type { SessionPool } from './session-pool';
import type { UserMessenger } from './user-messenger';

/**
 * Push and kick by uid on this server. A push to many users is serialized and encoded once:
 * every client receives the same bytes.
 */
export class LocalUserMessenger implements UserMessenger {
  constructor(
    private readonly pool: SessionPool,
    private readonly serializer: Serializer,
    private readonly outbound: () => OutboundEncoder,
    private readonly pushTypes: Record<string, string>,
  ) {}

  async pushToUsers(route: string, body: unknown, uids: string[]): Promise<string[]> {
    const prepared = this.outbound().prepare(route, this.serializer.marshal(body, this.pushTypes[route]));
    const failed: string[] = [];
    for (const uid of uids) {
      const session = this.pool.getByUid(uid);
      if (session) session.sendPrepared(prepared);
      else failed.push(uid);
    }
    return failed;
  }

  async kickUsers(uids: string[], reason?: string): Promise<string[]> {
    const failed: string[] = [];
    for (const uid of uids) {
      const session = this.pool.getByUid(uid);
      if (session) await session.kick(reason);
      else failed.push(uid);
    }
    return failed;
  }
}
