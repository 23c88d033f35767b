import type { Session } from '../session/session';

/** A class, as a declared body type (a DTO, or Uint8Array). */
export type BodyType = abstract new (...args: never[]) => unknown;

/** What a route's steps and method know about the call, handler or remote alike. */
interface RouteContext {
  /** Full route: `serverType.service.method`. */
  readonly route: string;
  readonly serverType: string;
  readonly service: string;
  readonly method: string;
  /** Propagated across RPCs (Pitaya's context keys and the application's). */
  readonly metadata: Record<string, unknown>;
  /** The DTO class of the body, when the route declares one. */
  readonly bodyType: BodyType | undefined;
}

/** What a handler and its pipeline steps know about the client message being handled. */
export interface HandlerContext extends RouteContext {
  readonly kind: 'handler';
  readonly type: 'request' | 'notify';
  /** The client's session (on a backend, a copy the frontend sent with the message). */
  readonly session: Session;
}

/** What a remote and its pipeline steps know about the RPC: no session, servers call remotes. */
export interface RemoteContext extends RouteContext {
  readonly kind: 'remote';
}

/** Either context: what a step written for handlers and remotes alike receives. */
export type StepContext = HandlerContext | RemoteContext;

/** The route of the call, as the route parser gives it. */
interface ContextRoute {
  readonly full: string;
  readonly serverType: string;
  readonly service: string;
  readonly method: string;
}

export function handlerContext(
  route: ContextRoute,
  type: 'request' | 'notify',
  session: Session,
  metadata: Record<string, unknown>,
  bodyType: BodyType | undefined,
): HandlerContext {
  const { full, serverType, service, method } = route;
  return { kind: 'handler', route: full, serverType, service, method, type, session, metadata, bodyType };
}

export function remoteContext(
  route: ContextRoute,
  metadata: Record<string, unknown>,
  bodyType: BodyType | undefined,
): RemoteContext {
  const { full, serverType, service, method } = route;
  return { kind: 'remote', route: full, serverType, service, method, metadata, bodyType };
}
