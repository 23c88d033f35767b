import { ErrorCode, PitayaError } from '../errors/pitaya-error';
import type { Session } from '../session/session';
import type { ServerInfo, ServiceDiscovery } from './service-discovery';
import { UnreachableServers } from './unreachable-servers';

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
  /** A live server of the type; `exclude` names servers found unreachable for this message. */
  route(
    serverType: string,
    route: string,
    session: Session | undefined,
    body: Uint8Array,
    exclude?: ReadonlySet<string>,
  ): Promise<ServerInfo>;
  addRoute(serverType: string, fn: RoutingFunction): void;
}

/**
 * Random by default; a custom function per server type when one is added. Servers found
 * unreachable lately are left out, unless no other server of the type is left.
 */
export class DefaultRouter implements Router {
  private readonly routes = new Map<string, RoutingFunction>();

  constructor(
    private readonly discovery: ServiceDiscovery,
    // the server's shared set (bootstrap gives it); a router without one holds nobody out
    private readonly unreachable = new UnreachableServers(0),
  ) {}

  addRoute(serverType: string, fn: RoutingFunction): void {
    this.routes.set(serverType, fn);
  }

  async route(
    serverType: string,
    route: string,
    session: Session | undefined,
    body: Uint8Array,
    exclude?: ReadonlySet<string>,
  ): Promise<ServerInfo> {
    const servers = this.candidates(this.discovery.getServersByType(serverType), exclude);
    if (servers.length === 0) {
      throw new PitayaError(ErrorCode.Internal, `no servers available of type ${serverType}`, { serverType });
    }
    const custom = this.routes.get(serverType);
    const chosen = custom
      ? await custom({ session, route, serverType, body, servers })
      : servers[Math.floor(Math.random() * servers.length)];
    // servers is not empty: a custom function (in plain JavaScript) is all that may choose none
    if (!chosen) throw new PitayaError(ErrorCode.Internal, `the router of ${serverType} chose no server`);
    return chosen;
  }

  private candidates(known: ServerInfo[], exclude: ReadonlySet<string> | undefined): ServerInfo[] {
    if (!exclude?.size && this.unreachable.size === 0) return known;
    const untried = exclude?.size ? known.filter((server) => !exclude.has(server.id)) : known;
    const live = untried.filter((server) => !this.unreachable.has(server.id));
    // every one was found unreachable lately: one may be back, and a try costs less than a refusal
    return live.length > 0 ? live : untried;
  }
}

// a few: each attempt meets a different server, and a cluster rarely loses several at once
const MAX_ATTEMPTS = 3;

/**
 * Routes a message and sends it; when the server picked turns out unreachable (its process died
 * and discovery does not know yet), the message was not handled there, so it goes to another.
 */
export async function routeAndCall<T>(
  router: Router,
  serverType: string,
  route: string,
  session: Session | undefined,
  body: Uint8Array,
  call: (server: ServerInfo) => Promise<T>,
): Promise<T> {
  const unreachable = new Set<string>();
  let lastError: PitayaError | undefined;
  for (let attempt = 1; ; attempt++) {
    let server: ServerInfo;
    try {
      server = await router.route(serverType, route, session, body, unreachable);
    } catch (err) {
      // no other server of the type: the caller learns why the last one failed
      throw lastError ?? err;
    }
    try {
      return await call(server);
    } catch (err) {
      if (!PitayaError.is(err) || !err.unreachable || attempt === MAX_ATTEMPTS) throw err;
      lastError = err;
      unreachable.add(server.id);
    }
  }
}
