import { Remote, Request } from '../decorators/component.decorators';
import { ErrorCode, PitayaError } from '../errors/pitaya-error';
import type { SessionPool } from '../session/session-pool';
import { decodeSessionData } from './backend-session';
import { ACK, decodeKickMsg, decodeSession, encodeKickAnswer, encodeResponse } from '../wire/protos';

/**
 * Pitaya's `sys` remotes, on frontends: how backends change the sessions they see
 * (sys.bindsession, sys.pushsession, sys.kick). Arguments and results are Pitaya's protos.
 */
@Remote('sys')
export class SysRemote {
  constructor(private readonly pool: SessionPool) {}

  #session(id: number) {
    const session = this.pool.get(id);
    if (!session) throw new PitayaError(ErrorCode.NotFound, `session ${id} not found`, { session: String(id) });
    return session;
  }

  /** Binds the session to a uid here, running this frontend's bind callbacks. */
  @Request()
  async bindsession(arg: Uint8Array): Promise<Uint8Array> {
    const { id, uid } = decodeSession(arg);
    await this.#session(id).bind(uid);
    return encodeResponse({ data: ACK });
  }

  /** Replaces the session's data with the backend's. */
  @Request()
  async pushsession(arg: Uint8Array): Promise<Uint8Array> {
    const { id, data } = decodeSession(arg);
    this.#session(id).setData(decodeSessionData(data));
    return encodeResponse({ data: ACK });
  }

  @Request()
  async kick(arg: Uint8Array): Promise<Uint8Array> {
    const { userId } = decodeKickMsg(arg);
    const session = this.pool.getByUid(userId);
    await session?.kick();
    return encodeKickAnswer(session !== undefined);
  }
}
