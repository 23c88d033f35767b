import type { OutboundEncoder } from '../serialize/outbound';
import type { RpcClient } from '../rpc/rpc-client';
import type { ServerInfo, ServiceDiscovery } from '../rpc/service-discovery';
import type { Serializer } from '../serialize/serializer';
import type { SessionPool } from '../session/session-pool';
import type { UserMessenger } from '../session/user-messenger';

/**
 * Push and kick by uid: users on this frontend directly, the others through the cluster (their
 * frontend type's push and kick subjects). A push to many users is serialized once, and
 * encoded once for every local client.
 */
export class DefaultUserMessenger implements UserMessenger {
  constructor(
    private readonly self: ServerInfo,
    private readonly pool: SessionPool,
    private readonly serializer: Serializer,
    private readonly outbound: () => OutboundEncoder,
    private readonly pushTypes: Record<string, string>,
    private readonly rpc: RpcClient,
    private readonly discovery: ServiceDiscovery,
  ) {}

  /** This frontend's type, or the cluster's only frontend type. */
  private frontendType(given: string | undefined): string | undefined {
    if (given) return given;
    if (this.self.frontend) return this.self.type;
    const types = new Set(
      this.discovery
        .servers()
        .filter((s) => s.frontend)
        .map((s) => s.type),
    );
    return types.size === 1 ? [...types][0] : undefined;
  }

  private local(type: string | undefined) {
    return this.self.frontend && type === this.self.type ? this.pool : undefined;
  }

  async pushToUsers(route: string, body: unknown, uids: string[], frontendType?: string): Promise<string[]> {
    const data = this.serializer.marshal(body, this.pushTypes[route]);
    const type = this.frontendType(frontendType);
    const local = this.local(type);
    const prepared = local ? this.outbound().prepare(route, data) : undefined;
    const failed: string[] = [];
    for (const uid of uids) {
      const session = local?.getByUid(uid);
      if (session && prepared) session.sendPrepared(prepared);
      else if (!type) failed.push(uid);
      else await this.rpc.pushToUser(type, { route, uid, data }).catch(() => failed.push(uid));
    }
    return failed;
  }

  async kickUsers(uids: string[], reason?: string, frontendType?: string): Promise<string[]> {
    const type = this.frontendType(frontendType);
    const local = this.local(type);
    const failed: string[] = [];
    for (const uid of uids) {
      const session = local?.getByUid(uid);
      if (session) await session.kick(reason);
      else if (!type) failed.push(uid);
      else await this.rpc.kickUser(type, uid).catch(() => failed.push(uid));
    }
    return failed;
  }
}
