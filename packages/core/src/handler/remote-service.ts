import { PitayaError } from '../errors/pitaya-error';
import { remoteContext } from '../pipeline/context';
import type { ParsedRoute } from '../routing/route';
import type { RouteRegistry } from '../routing/route-registry';
import type { RpcCodec } from '../serialize/rpc-codec';

/** This server's remotes: run directly with values (a call to oneself), or from an RPC's bytes. */
export interface LocalRemotes {
  /** A local call: values in, values out, no serialization. */
  call(route: ParsedRoute, arg: unknown, metadata: Record<string, unknown>): Promise<unknown>;
  /** An RPC: the argument and the result travel serialized (protobuf types from @Proto(), else JSON). */
  callSerialized(route: ParsedRoute, arg: Uint8Array, metadata: Record<string, unknown>): Promise<Uint8Array>;
}

/** Runs this server's remotes: directly with values (a call to oneself), or from RPC bytes. */
export class RemoteService implements LocalRemotes {
  constructor(
    private readonly registry: RouteRegistry,
    private readonly codec: RpcCodec,
  ) {}

  /** A local call: values in, values out, no serialization. */
  async call(route: ParsedRoute, arg: unknown, metadata: Record<string, unknown>): Promise<unknown> {
    const descriptor = this.registry.remotes.get(route.key);
    if (!descriptor) throw PitayaError.routeNotFound(route.full);
    return descriptor.execute(remoteContext(route, metadata, descriptor.bodyType), arg);
  }

  /** An RPC: the argument and the result travel serialized (protobuf types from @Proto(), else JSON). */
  async callSerialized(route: ParsedRoute, arg: Uint8Array, metadata: Record<string, unknown>): Promise<Uint8Array> {
    const descriptor = this.registry.remotes.get(route.key);
    if (!descriptor) throw PitayaError.routeNotFound(route.full);
    const value = descriptor.raw ? arg : this.codec.decode(arg, descriptor.proto.request);
    const result = await this.call(route, value, metadata);
    return this.codec.encode(result, descriptor.proto.response);
  }
}
