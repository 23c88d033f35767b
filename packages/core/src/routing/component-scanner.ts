import type { Container, Newable, ServiceIdentifier } from 'inversify';
import { readComponentMetadata, type ComponentMetadata, type MethodMetadata } from '../decorators/component-metadata';
import { BootError } from '../errors/boot-error';
import type { BodyType, StepContext } from '../pipeline/context';
import type { AfterFn, AnyPipelineRef as Step, BeforeFn } from '../pipeline/pipeline';

type Before = BeforeFn<StepContext>;
type After = AfterFn<StepContext>;
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
  execute(ctx: StepContext, body: unknown): unknown;
}

/** A scanned class: its instance (for lifecycle hooks) and its routes. */
export interface ScannedComponent {
  name: string;
  instance: object;
  routes: RouteDescriptor[];
}

/** This server's handler and remote classes, scanned. */
export interface ScannedComponents {
  handlers: ScannedComponent[];
  remotes: ScannedComponent[];
}

export interface ScanOptions {
  globalBefore: Step[];
  globalAfter: Step[];
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

/** The body type TypeScript recorded for a method (emitDecoratorMetadata), if it did. */
function recordedBodyType(cls: BodyType, method: string): BodyType | undefined {
  const types = Reflect.getMetadata('design:paramtypes', prototypeOf(cls), method) as BodyType[] | undefined;
  return types?.[0];
}

/**
 * Whether the compiler recorded a method's parameter types. It always does for a decorated method
 * when it emits decorator metadata; esbuild and tsx emit none, and then a DTO cannot be told from
 * a plain body: validation would silently not run.
 */
function hasTypeMetadata(cls: BodyType, method: string): boolean {
  return Reflect.hasMetadata('design:paramtypes', prototypeOf(cls), method);
}

/** A class's prototype, which TypeScript types `any`. */
function prototypeOf(cls: BodyType): object {
  return cls.prototype as object;
}

/** Whether a function's prototype (`any` to TypeScript, absent from an arrow function) has a method. */
function hasMethod(prototype: unknown, name: string): boolean {
  return typeof (prototype as Partial<Record<string, unknown>> | undefined)?.[name] === 'function';
}

/**
 * Route methods of a class and its ancestors: every method but the lifecycle hooks and those
 * named `_like_this`. TypeScript's `private` does not exist at run time: helpers that must not
 * be routes are `#private` (invisible here) or `_named`.
 */
function routeMethods(cls: BodyType): string[] {
  const names = new Set<string>();
  for (
    let proto: object | null = prototypeOf(cls);
    proto && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto) as object | null
  ) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      const descriptor = Object.getOwnPropertyDescriptor(proto, name);
      if (LIFECYCLE.has(name) || name.startsWith('_') || typeof descriptor?.value !== 'function') continue;
      names.add(name);
    }
  }
  return [...names];
}

function resolveStep(container: Container, ref: Step, phase: 'before' | 'after', where: string): Before | After {
  if (typeof ref === 'function' && !hasMethod(ref.prototype, phase)) {
    if (/^class\s/.test(Function.prototype.toString.call(ref))) {
      throw new BootError(`${where}: ${ref.name} has no ${phase}() method`);
    }
    return ref as Before | After; // a plain function step
  }
  const id = ref as ServiceIdentifier<object>;
  if (typeof id === 'function' && !container.isBound(id)) container.bind(id).toSelf().inSingletonScope();
  if (!container.isBound(id)) {
    throw new BootError(`${where}: pipeline token ${String(ref)} is not bound in the container`);
  }
  const step = container.get(id) as Record<string, unknown>;
  const fn = step[phase];
  if (typeof fn !== 'function') throw new BootError(`${where}: ${String(ref)} has no ${phase}() method`);
  return (fn as (...args: unknown[]) => unknown).bind(step);
}

function compose(before: Before[], after: After[], invoke: (body: unknown, ctx: StepContext) => unknown) {
  if (before.length === 0 && after.length === 0) return (ctx: StepContext, body: unknown) => invoke(body, ctx);
  return async (ctx: StepContext, body: unknown) => {
    for (const step of before) body = await step(ctx, body);
    let result = await invoke(body, ctx);
    for (const step of after) result = await step(ctx, result);
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
    if (meta?.kind !== kind) {
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

      const fn = instance[methodName];
      if (!fn) throw new BootError(`${where}: the instance has no such method`);
      const decorated = meta.methods.has(methodName);
      if (kind === 'handler' && !methodMeta.body && fn.length > 0 && decorated && !hasTypeMetadata(cls, methodName)) {
        const decorator = methodMeta.notify ? '@Notify' : '@Request';
        throw new BootError(
          `${where}: no type information (emitDecoratorMetadata is off): declare the body type with ` +
            `${decorator}(BodyClass), or ${decorator}(Object) for a plain body`,
        );
      }
      const declared = methodMeta.body ?? recordedBodyType(cls, methodName);
      const raw = declared === Uint8Array || declared === Buffer;
      const bodyType = declared && !NOT_DTO.has(declared) ? declared : raw ? declared : undefined;
      const isDto = bodyType !== undefined && !raw;

      const beforeRefs = [...options.globalBefore, ...meta.before, ...methodMeta.before];
      const before = beforeRefs.map((ref) => resolveStep(container, ref, 'before', where));
      if (options.validation && isDto && kind === 'handler') {
        const validation = new ValidationStep();
        before.unshift((ctx, body) => validation.before(ctx, body));
      }
      const afterRefs = [...options.globalAfter, ...meta.after, ...methodMeta.after];
      const after = afterRefs.map((ref) => resolveStep(container, ref, 'after', where));
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
