import { ErrorCode, PitayaError } from '../errors/pitaya-error';
import type { Session } from '../session/session';
import type { ServerInfo, ServiceDiscovery } from './service-discovery';

export interface RoutingContext {
  /** The client's session; undefined for RPCs made outside a request. */
  session: Session | undefined;
  route: string;
  serverType: string;
  body: Uint8Array;
  /** Live servers of that type, never empty. */
  servers: ServerInfo[];
}

/** Picks the server of a type that gets a message (Pitaya's AddRoute). */
export type RoutingFunction = (ctx: RoutingContext) => ServerInfo | Promise<ServerInfo>;

export interface Router {
  route(serverType: string, route: string, session: Session | undefined, body: Uint8Array): Promise<ServerInfo>;
  addRoute(serverType: string, fn: RoutingFunction): void;
}

/** Random by default; a custom function per server type when one is added. */
export class DefaultRouter implements Router {
  private readonly routes = new Map<string, RoutingFunction>();

  constructor(private readonly discovery: ServiceDiscovery) {}

  addRoute(serverType: string, fn: RoutingFunction): void {
    this.routes.set(serverType, fn);
  }

  async route(serverType: string, route: string, session: Session | undefined, body: Uint8Array): Promise<ServerInfo> {
    const servers = this.discovery.getServersByType(serverType);
    if (servers.length === 0) {
      throw new PitayaError(ErrorCode.Internal, `no servers available of type ${serverType}`, { serverType });
    }
    const custom = this.routes.get(serverType);
    if (!custom) return servers[Math.floor(Math.random() * servers.length)]!;
    const chosen = await custom({ session, route, serverType, body, servers });
    if (!chosen) throw new PitayaError(ErrorCode.Internal, `the router of ${serverType} chose no server`);
    return chosen;
  }
}
