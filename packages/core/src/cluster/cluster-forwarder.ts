import type { Message } from '@pitaya-ts/protocol';
import type { ForwardOrder, Forwarder } from '../dispatch/message-processor';
import { PitayaError } from '../errors/pitaya-error';
import { routeAndCall, type Router } from '../rpc/router';
import type { ServerInfo } from '../rpc/service-discovery';
import type { ParsedRoute } from '../routing/route';
import type { Session } from '../session/session';
import { encodeSessionData } from './backend-session';
import type { RpcCaller } from './rpc-caller';
import { FORWARDS_IN_ORDER, FORWARDS_METADATA_KEY } from './session-turns';

/**
 * A frontend's forwarding (Sys RPC): a client message for another server type goes, with a
 * snapshot of the session, to the server the router picks; its answer returns to the client.
 *
 * Up to `depth` forwards of a session are on their way at once when they go to one server that
 * handles them in order over a transport that keeps their order: the session's next message does
 * not wait for the answer. Anything else waits for the forwards on their way to be answered.
 */
export function clusterForwarder(router: Router, caller: RpcCaller, timeoutMs: number, depth = 1): Forwarder {
  /** Forwards sent, numbered on this frontend: a server orders a session's pushes by them. */
  let numbered = 0;
  const pipelines = (target: ServerInfo) =>
    depth > 1 && caller.ordered && target.metadata[FORWARDS_METADATA_KEY] === FORWARDS_IN_ORDER;

  return (
    route: ParsedRoute,
    type: 'request' | 'notify',
    session: Session,
    message: Message,
    metadata: Record<string, unknown>,
    order?: ForwardOrder,
  ) => {
    /** Sent once already: the turn passed, so a retry elsewhere is waited for as a pipelined one. */
    let passed = false;
    return routeAndCall(router, route.serverType, route.full, session, message.body, async (target) => {
      const pipelined = order !== undefined && pipelines(target);
      const earlier = order?.earlier;
      // behind forwards to this same server, within the depth; behind none anywhere else. Checked
      // again on waking: others (retries found unreachable) may have been woken and sent first
      while (earlier !== undefined && earlier.count > 0) {
        const limit = pipelined && earlier.target === target.id ? depth - 1 : 0;
        if (earlier.count <= limit) break;
        await earlier.atMost(limit);
      }
      const seq = ++numbered;
      const answer = caller.sys(target, route.full, message.body, {
        // taken now: the answers waited for above may have changed the session
        session: { id: session.id, uid: session.uid ?? '', data: encodeSessionData(session.data()) },
        messageId: message.id,
        notify: type === 'notify',
        metadata,
        timeoutMs,
        ...(pipelined && { place: { seq, answered: order.earlier.answeredBefore(seq) } }),
      });
      if (order === undefined || !(pipelined || passed)) return answer;
      order.sent(seq, target.id);
      passed = true;
      // a server found unreachable did not handle it: the retry elsewhere must not wait for it
      return answer.catch((err: unknown) => {
        order.earlier.answered(seq);
        throw err;
      });
    });
  };
}

/** A server on its own: there is no server of another type to forward to. */
export const standaloneForwarder: Forwarder = (route) => Promise.reject(PitayaError.routeNotFound(route.full));
