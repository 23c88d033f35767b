import { componentMetadata, methodMetadata, type ComponentOptions } from './component-metadata';
import type { BodyType, HandlerContext, StepContext } from '../pipeline/context';
import type { PipelineRef } from '../pipeline/pipeline';

function normalize(options?: string | ComponentOptions): ComponentOptions {
  return typeof options === 'string' ? { name: options } : (options ?? {});
}

/**
 * Makes a class's public methods client routes `<serverType>.<name>.<method>`. The name defaults
 * to the class name without its `Handler` suffix, first letter lower-cased (`RoomHandler` → `room`).
 */
export function Handler(options?: string | ComponentOptions): ClassDecorator {
  return (target) => {
    const meta = componentMetadata(target);
    const { name, nameFunc } = normalize(options);
    meta.kind = 'handler';
    meta.name = name;
    if (nameFunc) meta.nameFunc = nameFunc;
  };
}

/**
 * Makes a class's public methods server-to-server routes `<serverType>.<name>.<method>`.
 * The name defaults to the class name, first letter lower-cased (`RoomRemote` → `roomRemote`).
 */
export function Remote(options?: string | ComponentOptions): ClassDecorator {
  return (target) => {
    const meta = componentMetadata(target);
    const { name, nameFunc } = normalize(options);
    meta.kind = 'remote';
    meta.name = name;
    if (nameFunc) meta.nameFunc = nameFunc;
  };
}

/**
 * A route method that may be given a context of type C. A method's parameters compare both ways
 * (bivariantly): a method declaring a HandlerContext fits handler steps and steps for both kinds,
 * one declaring a RemoteContext fits remote steps and steps for both, and neither fits the other.
 */
type RouteTaking<C> = { method(body: never, ctx: C): unknown }['method'];

/** A class whose methods may all be given a context of type C (lifecycle hooks take none). */
type ClassTaking<I, C> = abstract new (...args: never[]) => {
  [K in keyof I]: I[K] extends (...args: never[]) => unknown ? RouteTaking<C> : I[K];
};

/**
 * What `@Before` and `@After` return: a decorator for a class (every route) or one method. The
 * context the steps take must be the one the routes are given: steps written for handlers
 * (HandlerContext, the default) do not compile on a remote method that declares its
 * RemoteContext. Remote steps are typed by their functions or `@Before<RemoteContext>(TOKEN)`.
 */
export interface StepsDecorator<C extends StepContext> {
  <T extends abstract new (...args: never[]) => object>(target: T & ClassTaking<InstanceType<T>, C>): void;
  <M extends RouteTaking<C>>(target: object, method: string | symbol, descriptor: TypedPropertyDescriptor<M>): void;
}

function steps<C extends StepContext>(phase: 'before' | 'after', refs: PipelineRef<C>[]): StepsDecorator<C> {
  return (target: object, method?: string | symbol) => {
    const meta = method === undefined ? componentMetadata(target) : methodMetadata(target.constructor, String(method));
    meta[phase].push(...refs);
  };
}

/** Steps run before the route, on a class (every method) or on one method. */
export function Before<C extends StepContext = HandlerContext>(...refs: PipelineRef<C>[]): StepsDecorator<C> {
  return steps('before', refs);
}

/** Steps run after the route, on a class (every method) or on one method. */
export function After<C extends StepContext = HandlerContext>(...refs: PipelineRef<C>[]): StepsDecorator<C> {
  return steps('after', refs);
}

/** What `@Request()` and `@Notify()` take: the body's type, alone or as `{ body }`. */
export type BodyOptions = BodyType | { body?: BodyType };

function declareBody(target: object, method: string | symbol, notify: boolean, options?: BodyOptions): void {
  const meta = methodMetadata(target.constructor, String(method));
  meta.notify = notify;
  const body = typeof options === 'function' ? options : options?.body;
  if (body) meta.body = body;
}

/**
 * A request handler (what an undecorated public method is too). `@Request(JoinRequest)` declares
 * the body's type: a DTO class is transformed and validated, `Uint8Array` receives the raw bytes,
 * `Object` a plain body. Without it the type comes from the decorator metadata TypeScript emits
 * (`emitDecoratorMetadata`); esbuild and tsx emit none.
 */
export function Request(options?: BodyOptions): MethodDecorator {
  return (target, method) => declareBody(target, method, false, options);
}

/** A notify handler: it answers nothing, and a Request to it is PIT-400. Takes a body type as `@Request()` does. */
export function Notify(options?: BodyOptions): MethodDecorator {
  return (target, method) => declareBody(target, method, true, options);
}

/** The route name of a method, when it should differ from the method's name. */
export function Route(name: string): MethodDecorator {
  return (target, method) => {
    methodMetadata(target.constructor, String(method)).name = name;
  };
}

/** protobuf message types (full names) of a method's body and result. */
export function Proto(request?: string, response?: string): MethodDecorator {
  return (target, method) => {
    methodMetadata(target.constructor, String(method)).proto = { request, response };
  };
}
