import type { Newable, ServiceIdentifier } from 'inversify';
import type { Session } from '../session/session';

/** A class, as a declared body type (a DTO, or Uint8Array). */
export type BodyType = abstract new (...args: never[]) => unknown;

/** What a handler and its pipeline steps know about the message being handled. */
export interface HandlerContext {
  /** Full route: `serverType.service.method`. */
  readonly route: string;
  readonly serverType: string;
  readonly service: string;
  readonly method: string;
  readonly type: 'request' | 'notify';
  readonly session: Session;
  /** Propagated across RPCs (Pitaya's context keys and the application's). */
  readonly metadata: Record<string, unknown>;
  /** The DTO class of the body, when the handler declares one. */
  readonly bodyType: BodyType | undefined;
}

/** The route of the message being handled, as the route parser gives it. */
interface ContextRoute {
  readonly full: string;
  readonly serverType: string;
  readonly service: string;
  readonly method: string;
}

/** The context a route's steps and method receive. */
export function handlerContext(
  route: ContextRoute,
  type: 'request' | 'notify',
  session: Session,
  metadata: Record<string, unknown>,
  bodyType: BodyType | undefined,
): HandlerContext {
  return {
    route: route.full,
    serverType: route.serverType,
    service: route.service,
    method: route.method,
    type,
    session,
    metadata,
    bodyType,
  };
}

/** Runs before a handler; returns the body the handler receives. Throwing aborts the request. */
export interface BeforeStep {
  before(ctx: HandlerContext, body: unknown): unknown;
}

/**
 * Runs after a handler that succeeded, with its result; returns the result to send. Throwing
 * fails the request. (A failed handler skips the after steps: a step that forgets to rethrow
 * cannot turn an error into a success.)
 */
export interface AfterStep {
  after(ctx: HandlerContext, result: unknown): unknown;
}

export type BeforeFn = (ctx: HandlerContext, body: unknown) => unknown;
export type AfterFn = (ctx: HandlerContext, result: unknown) => unknown;

/** A step: a class (resolved from the container), a DI token bound to a step, or a plain function. */
export type PipelineRef =
  Newable<BeforeStep> | Newable<AfterStep> | ServiceIdentifier<BeforeStep | AfterStep> | BeforeFn | AfterFn;
