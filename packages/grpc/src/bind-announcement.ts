import { Metadata } from '@grpc/grpc-js';
import { protos, type BindMessage } from '@pitaya-ts/core/provider';

/**
 * When the announcing frontend bound the session: not a field of Pitaya's BindMsg, so it travels
 * as call metadata, which Go Pitaya servers ignore (and do not send).
 */
const BOUND_AT = 'pitaya-ts-bound-at';

/** The metadata of a bind announcement: its time, when it has one. */
export function bindMetadata({ boundAt }: BindMessage): Metadata | undefined {
  if (boundAt === undefined) return undefined;
  const metadata = new Metadata();
  metadata.set(BOUND_AT, String(boundAt));
  return metadata;
}

/** A bind announcement received, with its time when the announcer gave a valid one. */
export function announcedBind(request: Uint8Array, metadata: Metadata): BindMessage {
  const bind = protos.decodeBindMsg(request);
  const [text] = metadata.get(BOUND_AT);
  const boundAt = typeof text === 'string' && text !== '' ? Number(text) : Number.NaN;
  return Number.isFinite(boundAt) ? { ...bind, boundAt } : bind;
}
