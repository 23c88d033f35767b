import type { Message } from '@pitaya-ts/protocol';
import type { Forwarder } from '../dispatch/message-processor';
import { PitayaError } from '../errors/pitaya-error';
import { routeAndCall, type Router } from '../rpc/router';
import type { ParsedRoute } from '../routing/route';
import type { Session } from '../session/session';
import { encodeSessionData } from './backend-session';
import type { RpcCaller } from './rpc-caller';

/**
 * A frontend's forwarding (Sys RPC): a client message for another server type goes, with a
 * snapshot of the session, to the server the router picks; its answer returns to the client.
 */
export function clusterForwarder(router: Router, caller: RpcCaller, timeoutMs: number): Forwarder {
  return async (
    route: ParsedRoute,
    type: 'request' | 'notify',
    session: Session,
    message: Message,
    metadata: Record<string, unknown>,
  ) => {
    const snapshot = { id: session.id, uid: session.uid ?? '', data: encodeSessionData(session.data()) };
    return routeAndCall(router, route.serverType, route.full, session, message.body, (target) =>
      caller.sys(target, route.full, message.body, {
        session: snapshot,
        messageId: message.id,
        notify: type === 'notify',
        metadata,
        timeoutMs,
      }),
    );
  };
}

/** A server on its own: there is no server of another type to forward to. */
export const standaloneForwarder: Forwarder = (route) => Promise.reject(PitayaError.routeNotFound(route.full));
