import type { PitayaConfig } from '../config/config-loader';
import { ErrorCode, PitayaError } from '../errors/pitaya-error';
import type { RemoteService } from '../handler/remote-service';
import type { RouteParser } from '../routing/route';
import { routeAndCall, type Router } from '../rpc/router';
import type { ServerInfo, ServiceDiscovery } from '../rpc/service-discovery';
import type { RpcCodec } from '../serialize/rpc-codec';
import type { RpcCaller } from './rpc-caller';
import type { Session } from '../session/session';

export interface RpcOptions {
  /** The session on whose behalf the call is made (custom routers see it). */
  session?: Session;
  /** Propagated to the callee beside Pitaya's keys. */
  metadata?: Record<string, unknown>;
  /** ms; the RPC client's request timeout by default (`pitaya.cluster.rpc.client.<nats|grpc>.requesttimeout`). */
  timeout?: number;
  /** protobuf message types of the argument and the result (full names); JSON without them. */
  types?: { request?: string; response?: string };
}

/** The application's RPCs (`app.rpc`, `app.rpcTo`): values in and out, local calls kept local. */
export class RpcService {
  private readonly loopback: boolean;
  private readonly defaultTimeoutMs: number;

  constructor(
    private readonly self: ServerInfo,
    config: PitayaConfig,
    private readonly routes: RouteParser,
    private readonly remotes: RemoteService,
    private readonly router: Router,
    private readonly discovery: ServiceDiscovery,
    private readonly caller: RpcCaller,
    private readonly codec: RpcCodec,
    /** The deadline of a call made without one: the RPC client's request timeout. */
    defaultTimeoutMs: number,
  ) {
    this.loopback = config.get('pitaya.cluster.rpc.server.loopback');
    this.defaultTimeoutMs = defaultTimeoutMs;
  }

  async rpc<T>(route: string, arg: unknown, options: RpcOptions): Promise<T> {
    const parsed = this.routes.parse(route);
    // a call to one's own type stays in the process when loopback is on (Pitaya v2)
    if (parsed.serverType === this.self.type && this.loopback) {
      return (await this.remotes.call(parsed, arg, options.metadata ?? {})) as T;
    }
    const body = arg instanceof Uint8Array ? arg : new Uint8Array(0);
    return routeAndCall(this.router, parsed.serverType, parsed.full, options.session, body, (server) =>
      this.rpcTo<T>(server.id, route, arg, options),
    );
  }

  async rpcTo<T>(serverId: string, route: string, arg: unknown, options: RpcOptions): Promise<T> {
    const parsed = this.routes.parse(route);
    if (serverId === this.self.id) return (await this.remotes.call(parsed, arg, options.metadata ?? {})) as T;
    const server = this.discovery.getServer(serverId);
    if (!server)
      throw new PitayaError(ErrorCode.Internal, `no server ${serverId} in the cluster`, { server: serverId });
    const { types = {} } = options;
    const data = await this.caller.user(server, parsed.full, this.codec.encode(arg, types.request), {
      metadata: options.metadata,
      timeoutMs: options.timeout ?? this.defaultTimeoutMs,
    });
    return (arg instanceof Uint8Array && !types.response ? data : this.codec.decode(data, types.response)) as T;
  }
}
