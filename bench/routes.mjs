// What the benchmark servers and the load generator agree on.
// the route of the echo measured against the floors and pinus (pinus's template names it so)
export const ECHO_ROUTE = 'connector.entryHandler.echo';
export const JOIN_ROUTE = 'connector.entryHandler.join';
export const PUSH_ROUTE = 'onPush';
export const GROUP = 'everyone';
// the forwarded path: a connector forwards this route to a `room` server over NATS
export const FORWARD_ROUTE = 'room.echo.say';
// its baseline: a bare frontend's NATS request/reply on this subject, to a bare responder
export const FORWARD_SUBJECT = 'bench.forward.echo';
