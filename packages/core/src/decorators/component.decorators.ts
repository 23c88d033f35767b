import { componentMetadata, methodMetadata, type ComponentOptions } from './component-metadata';
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

/** Steps run before the handler, on a class (every method) or on one method. */
export function Before(...steps: PipelineRef[]): ClassDecorator & MethodDecorator {
  return ((target: object, method?: string | symbol) => {
    const meta = method === undefined ? componentMetadata(target) : methodMetadata(target.constructor, String(method));
    meta.before.push(...steps);
  }) as ClassDecorator & MethodDecorator;
}

/** Steps run after the handler, on a class (every method) or on one method. */
export function After(...steps: PipelineRef[]): ClassDecorator & MethodDecorator {
  return ((target: object, method?: string | symbol) => {
    const meta = method === undefined ? componentMetadata(target) : methodMetadata(target.constructor, String(method));
    meta.after.push(...steps);
  }) as ClassDecorator & MethodDecorator;
}

/**
 * A request handler (what an undecorated public method is too). Decorate methods whose body is a
 * DTO class: TypeScript emits parameter types only for decorated methods, and DTO validation
 * reads them.
 */
export function Request(): MethodDecorator {
  return (target, method) => {
    methodMetadata(target.constructor, String(method)).notify = false;
  };
}

/** A notify handler: it answers nothing, and a Request to it is PIT-400. */
export function Notify(): MethodDecorator {
  return (target, method) => {
    methodMetadata(target.constructor, String(method)).notify = true;
  };
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
