import { headers, type Msg, type MsgHdrs } from '@nats-io/transport-node';
import { protos, type BindMessage } from '@pitaya-ts/core/provider';

/**
 * When the announcing frontend bound the session: not a field of Pitaya's BindMsg, so it travels
 * as a header, which Go Pitaya servers ignore (and do not send).
 */
const BOUND_AT = 'Pitaya-Ts-Bound-At';

/** The headers of a bind announcement: its time, when it has one. */
export function bindHeaders({ boundAt }: BindMessage): MsgHdrs | undefined {
  if (boundAt === undefined) return undefined;
  const h = headers();
  h.set(BOUND_AT, String(boundAt));
  return h;
}

/** A bind announcement read, with its time when the announcer gave a valid one. */
export function announcedBind(msg: Msg): BindMessage {
  const bind = protos.decodeBindMsg(msg.data);
  const text = msg.headers?.get(BOUND_AT);
  const boundAt = text ? Number(text) : Number.NaN;
  return Number.isFinite(boundAt) ? { ...bind, boundAt } : bind;
}
