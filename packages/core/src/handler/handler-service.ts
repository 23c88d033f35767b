import { ErrorCode, PitayaError } from '../errors/pitaya-error';
import { handlerContext } from '../pipeline/context';
import type { RouteDescriptor } from '../routing/component-scanner';
import type { ParsedRoute } from '../routing/route';
import type { RouteRegistry } from '../routing/route-registry';
import type { Serializer } from '../serialize/serializer';
import type { Session } from '../session/session';
import { errorMessage } from '@pitaya-ts/protocol';

const EMPTY = new Uint8Array(0);

/** This server's handlers, run for a route on a given session (what a forwarded message needs). */
export interface LocalHandlers {
  /** Whether this server has a handler for the route. */
  has(route: ParsedRoute): boolean;
  /** Resolves with the serialized response (empty for a notify). Rejects with a PitayaError. */
  handle(
    route: ParsedRoute,
    type: 'request' | 'notify',
    session: Session,
    body: Uint8Array,
    metadata: Record<string, unknown>,
  ): Promise<Uint8Array>;
}

/**
 * Runs this server's handlers for client messages, local or forwarded (Sys RPC): deserializes
 * the body, runs the pipeline and the method, serializes the result.
 */
export class HandlerService implements LocalHandlers {
  constructor(
    private readonly registry: RouteRegistry,
    private readonly serializer: Serializer,
  ) {}

  /** Whether this server has a handler for the route. */
  has(route: ParsedRoute): boolean {
    return this.registry.handlers.has(route.key);
  }

  /** Resolves with the serialized response (empty for a notify). Throws PitayaError. */
  async handle(
    route: ParsedRoute,
    type: 'request' | 'notify',
    session: Session,
    body: Uint8Array,
    metadata: Record<string, unknown>,
  ): Promise<Uint8Array> {
    return this.run(route, type, session, body, metadata);
  }

  /**
   * `handle` without a promise when the handler and its pipeline answer synchronously: a client
   * message then costs no promise turns. Throws what `handle` would reject with.
   */
  run(
    route: ParsedRoute,
    type: 'request' | 'notify',
    session: Session,
    body: Uint8Array,
    metadata: Record<string, unknown>,
  ): Uint8Array | Promise<Uint8Array> {
    const descriptor = this.registry.handlers.get(route.key);
    if (!descriptor) throw PitayaError.routeNotFound(route.full);
    if (type === 'request' && descriptor.notify) {
      throw PitayaError.badRequest(`${route.full} is a notify handler: send a notify, not a request`, {
        route: route.full,
      });
    }
    if (type === 'notify' && !descriptor.notify) {
      throw PitayaError.badRequest(`${route.full} is a request handler: send a request, not a notify`, {
        route: route.full,
      });
    }
    const value = descriptor.raw ? body : this.serializer.unmarshal(body, descriptor.proto.request);
    const result = descriptor.execute(handlerContext(route, type, session, metadata, descriptor.bodyType), value);
    // what `await` would wait for: a promise or any thenable
    if (typeof (result as PromiseLike<unknown> | undefined)?.then === 'function') {
      return Promise.resolve(result).then((value) => this.serialize(route, type, descriptor, value));
    }
    return this.serialize(route, type, descriptor, result);
  }

  private serialize(route: ParsedRoute, type: 'request' | 'notify', descriptor: RouteDescriptor, result: unknown) {
    if (type === 'notify') return EMPTY;
    try {
      return this.serializer.marshal(result, descriptor.proto.response);
    } catch (err) {
      throw new PitayaError(ErrorCode.Internal, `cannot serialize the response of ${route.full}`, {
        reason: errorMessage(err),
      });
    }
  }
}
