import type { Container, Newable, ServiceIdentifier } from 'inversify';
import { readComponentMetadata, type ComponentMetadata, type MethodMetadata } from '../decorators/component-metadata';
import { BootError } from '../errors/boot-error';
import type { AfterFn, BeforeFn, BodyType, HandlerContext, PipelineRef } from '../pipeline/pipeline';
import { ValidationStep } from '../pipeline/validation.step';

/** A handler or remote method, ready to run: its pipeline composed once, at boot. */
export interface RouteDescriptor {
  kind: 'handler' | 'remote';
  /** `service.method` */
  key: string;
  service: string;
  method: string;
  notify: boolean;
  /** The declared body type: a DTO class, Uint8Array for raw bytes, or undefined. */
  bodyType: BodyType | undefined;
  /** The body is passed as raw bytes. */
  raw: boolean;
  proto: { request?: string; response?: string };
  /** Runs the before steps, the method, and the after steps. */
  execute(ctx: HandlerContext, body: unknown): unknown;
}

/** A scanned class: its instance (for lifecycle hooks) and its routes. */
export interface ScannedComponent {
  name: string;
  instance: object;
  routes: RouteDescriptor[];
}

export interface ScanOptions {
  globalBefore: PipelineRef[];
  globalAfter: PipelineRef[];
  /** Prepend DTO validation to routes whose body is a DTO class. */
  validation: boolean;
}

const LIFECYCLE = new Set(['constructor', 'init', 'afterInit', 'beforeShutdown', 'shutdown']);
const NOT_DTO = new Set<unknown>([
  Object,
  String,
  Number,
  Boolean,
  Array,
  Function,
  Symbol,
  Promise,
  Map,
  Set,
  Uint8Array,
  Buffer,
]);
const NAME = /^[A-Za-z_$][\w$-]*$/;

function defaultName(cls: BodyType, kind: 'handler' | 'remote'): string {
  const base = kind === 'handler' && /.Handler$/.test(cls.name) ? cls.name.slice(0, -'Handler'.length) : cls.name;
  return base.charAt(0).toLowerCase() + base.slice(1);
}

/**
 * Route methods of a class and its ancestors: every method but the lifecycle hooks and those
 * named `_like_this`. TypeScript's `private` does not exist at run time: helpers that must not
 * be routes are `#private` (invisible here) or `_named`.
 */
function routeMethods(cls: BodyType): string[] {
  const names = new Set<string>();
  for (
    let proto = cls.prototype as object | null;
    proto && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto)
  ) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      const descriptor = Object.getOwnPropertyDescriptor(proto, name);
      if (LIFECYCLE.has(name) || name.startsWith('_') || typeof descriptor?.value !== 'function') continue;
      names.add(name);
    }
  }
  return [...names];
}

function resolveStep(
  container: Container,
  ref: PipelineRef,
  phase: 'before' | 'after',
  where: string,
): BeforeFn | AfterFn {
  if (typeof ref === 'function' && !(ref.prototype && typeof ref.prototype[phase] === 'function')) {
    if (/^class\s/.test(Function.prototype.toString.call(ref))) {
      throw new BootError(`${where}: ${ref.name} has no ${phase}() method`);
    }
    return ref as BeforeFn | AfterFn; // a plain function step
  }
  const id = ref as ServiceIdentifier<object>;
  if (typeof id === 'function' && !container.isBound(id)) container.bind(id).toSelf().inSingletonScope();
  if (!container.isBound(id)) {
    throw new BootError(`${where}: pipeline token ${String(ref)} is not bound in the container`);
  }
  const step = container.get(id) as Record<string, unknown>;
  const fn = step[phase];
  if (typeof fn !== 'function') throw new BootError(`${where}: ${String(ref)} has no ${phase}() method`);
  return (fn as (...args: unknown[]) => unknown).bind(step) as BeforeFn | AfterFn;
}

function compose(before: BeforeFn[], after: AfterFn[], invoke: (body: unknown, ctx: HandlerContext) => unknown) {
  if (before.length === 0 && after.length === 0) return (ctx: HandlerContext, body: unknown) => invoke(body, ctx);
  return async (ctx: HandlerContext, body: unknown) => {
    for (const step of before) body = await (step as BeforeFn)(ctx, body);
    let result = await invoke(body, ctx);
    for (const step of after) result = await (step as AfterFn)(ctx, result);
    return result;
  };
}

/**
 * Reads the decorator metadata of the classes given, once, and builds their route descriptors.
 * Fails loudly on an undecorated class, a bad name, a duplicate route or an unbound pipeline token.
 */
export function scanComponents(
  container: Container,
  classes: Newable<object>[],
  kind: 'handler' | 'remote',
  options: ScanOptions,
): ScannedComponent[] {
  const components: ScannedComponent[] = [];
  const seen = new Map<string, string>();
  for (const cls of classes) {
    const meta: ComponentMetadata | undefined = readComponentMetadata(cls);
    if (!meta || meta.kind !== kind) {
      throw new BootError(
        `${cls.name} is listed as a ${kind} but is not decorated with @${kind === 'handler' ? 'Handler' : 'Remote'}()`,
      );
    }
    const name = meta.name ?? defaultName(cls, kind);
    if (!NAME.test(name)) throw new BootError(`${cls.name}: "${name}" is not a valid ${kind} name`);
    if (!container.isBound(cls)) container.bind(cls).toSelf().inSingletonScope();
    const instance = container.get(cls) as Record<string, (...args: unknown[]) => unknown>;

    const routes: RouteDescriptor[] = [];
    for (const methodName of routeMethods(cls)) {
      const methodMeta: MethodMetadata = meta.methods.get(methodName) ?? { before: [], after: [] };
      const method = methodMeta.name ?? meta.nameFunc?.(methodName) ?? methodName;
      if (!NAME.test(method)) throw new BootError(`${cls.name}.${methodName}: "${method}" is not a valid route name`);
      const key = `${name}.${method}`;
      const where = `${cls.name}.${methodName}`;
      const previous = seen.get(key);
      if (previous) throw new BootError(`duplicate ${kind} route ${key}: ${previous} and ${where}`);
      seen.set(key, where);

      const paramTypes = (Reflect.getMetadata('design:paramtypes', cls.prototype, methodName) ?? []) as BodyType[];
      const declared = paramTypes[0];
      const raw = declared === Uint8Array || declared === Buffer;
      const bodyType = declared && !NOT_DTO.has(declared) ? declared : raw ? declared : undefined;
      const isDto = bodyType !== undefined && !raw;

      const beforeRefs = [...options.globalBefore, ...meta.before, ...methodMeta.before];
      const before = beforeRefs.map((ref) => resolveStep(container, ref, 'before', where) as BeforeFn);
      if (options.validation && isDto && kind === 'handler') {
        const validation = new ValidationStep();
        before.unshift((ctx, body) => validation.before(ctx, body));
      }
      const afterRefs = [...options.globalAfter, ...meta.after, ...methodMeta.after];
      const after = afterRefs.map((ref) => resolveStep(container, ref, 'after', where) as AfterFn);
      const fn = instance[methodName]!;
      routes.push({
        kind,
        key,
        service: name,
        method,
        notify: methodMeta.notify ?? false,
        bodyType,
        raw,
        proto: methodMeta.proto ?? {},
        execute: compose(before, after, (body, ctx) => fn.call(instance, body, ctx)),
      });
    }
    components.push({ name, instance, routes });
  }
  return components;
}
