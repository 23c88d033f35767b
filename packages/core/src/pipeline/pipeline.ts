import type { Newable, ServiceIdentifier } from 'inversify';
import type { HandlerContext, StepContext } from './context';

/** Runs before a route; returns the body the route receives. Throwing aborts the call. */
export interface BeforeStep<C extends StepContext = HandlerContext> {
  before(ctx: C, body: unknown): unknown;
}

/**
 * Runs after a route that succeeded, with its result; returns the result to send. Throwing
 * fails the call. (A failed route skips the after steps: a step that forgets to rethrow
 * cannot turn an error into a success.)
 */
export interface AfterStep<C extends StepContext = HandlerContext> {
  after(ctx: C, result: unknown): unknown;
}

export type BeforeFn<C extends StepContext = HandlerContext> = (ctx: C, body: unknown) => unknown;
export type AfterFn<C extends StepContext = HandlerContext> = (ctx: C, result: unknown) => unknown;

/**
 * A step: a class (resolved from the container), a DI token bound to a step, or a plain function.
 * Handler steps receive a HandlerContext, remote steps a RemoteContext.
 */
export type PipelineRef<C extends StepContext = HandlerContext> =
  | Newable<BeforeStep<C>>
  | Newable<AfterStep<C>>
  | ServiceIdentifier<BeforeStep<C> | AfterStep<C>>
  | BeforeFn<C>
  | AfterFn<C>;

/** A step of either kind, as stored until the scanner gives it the context of its route. */
export type AnyPipelineRef = PipelineRef<never>;
