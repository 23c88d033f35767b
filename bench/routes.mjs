// What the benchmark servers and the load generator agree on.
export const ECHO_ROUTE = 'bench.echo.echo';
export const JOIN_ROUTE = 'bench.echo.join';
export const PUSH_ROUTE = 'onPush';
export const GROUP = 'everyone';
// the forwarded path: a connector forwards this route to a `room` server over NATS
export const FORWARD_ROUTE = 'room.echo.say';
// its baseline: a bare frontend's NATS request/reply on this subject, to a bare responder
export const FORWARD_SUBJECT = 'bench.forward.echo';
