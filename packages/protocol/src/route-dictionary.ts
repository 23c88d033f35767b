import { ProtocolError } from './errors';

/** Route compression: a fixed map between routes and 2-byte codes, shared in the handshake. */
export class RouteDictionary {
  private readonly codes = new Map<string, number>();
  private readonly routes = new Map<number, string>();

  /** @param entries route → code, as sent in the handshake's `sys.dict` */
  constructor(entries: Record<string, number> = {}) {
    for (const [route, code] of Object.entries(entries)) {
      if (!Number.isInteger(code) || code < 0 || code > 0xffff) {
        throw new RangeError(`route code for "${route}" must be an integer in [0, 65535], got ${code}`);
      }
      const taken = this.routes.get(code);
      if (taken !== undefined) {
        throw new RangeError(`routes "${taken}" and "${route}" share code ${code}`);
      }
      this.codes.set(route, code);
      this.routes.set(code, route);
    }
  }

  /** Builds a dictionary that numbers routes from 1 in the order given. */
  static fromRoutes(routes: Iterable<string>): RouteDictionary {
    const entries: Record<string, number> = {};
    let code = 1;
    for (const route of routes) {
      if (!(route in entries)) entries[route] = code++;
    }
    return new RouteDictionary(entries);
  }

  get size(): number {
    return this.codes.size;
  }

  codeOf(route: string): number | undefined {
    return this.codes.get(route);
  }

  routeOf(code: number): string {
    const route = this.routes.get(code);
    if (route === undefined) {
      throw new ProtocolError('ERR_ROUTE_CODE', `unknown route code ${code}`);
    }
    return route;
  }

  /** The `sys.dict` object of a handshake response. */
  toJSON(): Record<string, number> {
    return Object.fromEntries(this.codes);
  }
}
