import { ErrorCode, PitayaError } from '../errors/pitaya-error';
import type { ServiceDiscovery } from '../rpc/service-discovery';
import type { UserMessenger } from '../session/user-messenger';
import type { RpcSession } from '../wire/rpc-messages';
import { encodeKickMsg, encodeSession } from '../wire/protos';
import type { BackendSessionOps } from './backend-session';
import type { RpcCaller } from './rpc-caller';

/** What a backend session asks of its frontend, through Pitaya's sys remotes and pushes. */
export class FrontendCalls implements BackendSessionOps {
  constructor(
    private readonly caller: RpcCaller,
    private readonly discovery: ServiceDiscovery,
    private readonly messenger: UserMessenger,
    private readonly timeoutMs: number,
  ) {}

  bindOnFrontend(frontendId: string, snapshot: RpcSession): Promise<void> {
    return this.sys(frontendId, 'sys.bindsession', encodeSession(snapshot));
  }

  pushSessionToFrontend(frontendId: string, snapshot: RpcSession): Promise<void> {
    return this.sys(frontendId, 'sys.pushsession', encodeSession(snapshot));
  }

  kickOnFrontend(frontendId: string, uid: string): Promise<void> {
    return this.sys(frontendId, 'sys.kick', encodeKickMsg(uid));
  }

  async pushToUser(frontendId: string, uid: string, route: string, body: unknown): Promise<void> {
    const failed = await this.messenger.pushToUsers(route, body, [uid], this.frontend(frontendId).type);
    if (failed.length > 0) throw new PitayaError(ErrorCode.Internal, `cannot push to ${uid}`, { uid });
  }

  private async sys(frontendId: string, route: string, arg: Uint8Array): Promise<void> {
    await this.caller.user(this.frontend(frontendId), route, arg, { timeoutMs: this.timeoutMs });
  }

  private frontend(id: string) {
    const server = this.discovery.getServer(id);
    if (!server) throw new PitayaError(ErrorCode.Internal, `frontend ${id} is not in the cluster`, { server: id });
    return server;
  }
}
