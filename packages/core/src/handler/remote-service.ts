import { PitayaError } from '../errors/pitaya-error';
import { handlerContext } from '../pipeline/pipeline';
import type { ParsedRoute } from '../routing/route';
import type { RouteRegistry } from '../routing/route-registry';
import type { RpcCodec } from '../serialize/rpc-codec';
import type { Session } from '../session/session';

/** Runs this server's remotes: directly with values (a call to oneself), or from RPC bytes. */
export class RemoteService {
  constructor(
    private readonly registry: RouteRegistry,
    private readonly codec: RpcCodec,
  ) {}

  /** A local call: values in, values out, no serialization. */
  async call(
    route: ParsedRoute,
    arg: unknown,
    session: Session | undefined,
    metadata: Record<string, unknown>,
  ): Promise<unknown> {
    const descriptor = this.registry.remotes.get(route.key);
    if (!descriptor) throw PitayaError.routeNotFound(route.full);
    return descriptor.execute(handlerContext(route, 'request', session as Session, metadata, descriptor.bodyType), arg);
  }

  /** An RPC: the argument and the result travel serialized (protobuf types from @Proto(), else JSON). */
  async callSerialized(route: ParsedRoute, arg: Uint8Array, metadata: Record<string, unknown>): Promise<Uint8Array> {
    const descriptor = this.registry.remotes.get(route.key);
    if (!descriptor) throw PitayaError.routeNotFound(route.full);
    const value = descriptor.raw ? arg : this.codec.decode(arg, descriptor.proto.request);
    const result = await this.call(route, value, undefined, metadata);
    return this.codec.encode(result, descriptor.proto.response);
  }
}
