import type { BodyType } from '../pipeline/context';
import type { AnyPipelineRef as StepRef } from '../pipeline/pipeline';

export interface MethodMetadata {
  /** Route name of the method (Pitaya's WithName for a method). */
  name?: string;
  /** A notify handler: a Request to it is PIT-400. */
  notify?: boolean;
  before: StepRef[];
  after: StepRef[];
  /** protobuf message types of the body and the result. */
  proto?: { request?: string; response?: string };
  /**
   * The body type declared in the decorator (`@Request(JoinRequest)`): what compilers that emit no
   * decorator metadata (esbuild, tsx, SWC without decoratorMetadata) leave the scanner to know.
   */
  body?: BodyType;
}

export interface ComponentMetadata {
  kind?: 'handler' | 'remote';
  name?: string;
  /** Maps method names to route names (Pitaya's WithNameFunc). */
  nameFunc?: (method: string) => string;
  before: StepRef[];
  after: StepRef[];
  methods: Map<string, MethodMetadata>;
}

export interface ComponentOptions {
  name?: string;
  nameFunc?: (method: string) => string;
}

const COMPONENT = Symbol.for('@pitaya-ts/core/component');

/**
 * The one metadata object of a decorated class. Decorators only write here; nothing is
 * registered anywhere until bootstrap scans the classes it is given.
 */
export function componentMetadata(target: object): ComponentMetadata {
  const own = Reflect.getOwnMetadata(COMPONENT, target) as ComponentMetadata | undefined;
  if (own) return own;
  // a subclass starts from a copy of its parent's metadata
  const inherited = Reflect.getMetadata(COMPONENT, target) as ComponentMetadata | undefined;
  const created: ComponentMetadata = {
    kind: inherited?.kind,
    name: undefined,
    nameFunc: inherited?.nameFunc,
    before: [...(inherited?.before ?? [])],
    after: [...(inherited?.after ?? [])],
    methods: new Map(
      [...(inherited?.methods ?? [])].map(([k, v]) => [k, { ...v, before: [...v.before], after: [...v.after] }]),
    ),
  };
  Reflect.defineMetadata(COMPONENT, created, target);
  return created;
}

export function readComponentMetadata(target: object): ComponentMetadata | undefined {
  return Reflect.getMetadata(COMPONENT, target) as ComponentMetadata | undefined;
}

export function methodMetadata(target: object, method: string): MethodMetadata {
  const component = componentMetadata(target);
  let entry = component.methods.get(method);
  if (!entry) component.methods.set(method, (entry = { before: [], after: [] }));
  return entry;
}
