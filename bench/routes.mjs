// What the benchmark servers and the load generator agree on.
export const ECHO_ROUTE = 'bench.echo.echo';
export const JOIN_ROUTE = 'bench.echo.join';
export const PUSH_ROUTE = 'onPush';
export const GROUP = 'everyone';
