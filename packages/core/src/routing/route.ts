import { PitayaError } from '../errors/pitaya-error';

/** `serverType.service.method` */
export interface ParsedRoute {
  readonly serverType: string;
  readonly service: string;
  readonly method: string;
  /** `service.method`: the key of a handler or remote on its server. */
  readonly key: string;
  readonly full: string;
}

/**
 * Parses a client or RPC route; `service.method` means this server's type. Results are cached:
 * a server sees few distinct routes, and this runs for every message.
 */
export class RouteParser {
  private readonly cache = new Map<string, ParsedRoute>();

  constructor(private readonly defaultServerType: string) {}

  parse(route: string): ParsedRoute {
    const cached = this.cache.get(route);
    if (cached) return cached;
    const parts = route.split('.');
    const [first, second, third] = parts;
    if (first === undefined || second === undefined || parts.length > 3 || parts.some((p) => p.length === 0)) {
      throw PitayaError.badRequest(`invalid route "${route}": expected serverType.service.method`, { route });
    }
    const parsed =
      third === undefined ? parsedRoute(this.defaultServerType, first, second) : parsedRoute(first, second, third);
    // bounded: routes come from clients, who may send garbage
    if (this.cache.size < 10_000) this.cache.set(route, parsed);
    return parsed;
  }
}

function parsedRoute(serverType: string, service: string, method: string): ParsedRoute {
  return { serverType, service, method, key: `${service}.${method}`, full: `${serverType}.${service}.${method}` };
}
