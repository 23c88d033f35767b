import { BootError } from '../errors/boot-error';
import type { RouteDescriptor, ScannedComponent } from './component-scanner';

/** The routes of this server, by `service.method`, handlers and remotes apart. */
export class RouteRegistry {
  readonly handlers = new Map<string, RouteDescriptor>();
  readonly remotes = new Map<string, RouteDescriptor>();

  constructor(handlers: ScannedComponent[], remotes: ScannedComponent[]) {
    for (const [components, map] of [
      [handlers, this.handlers],
      [remotes, this.remotes],
    ] as const) {
      for (const component of components) {
        for (const route of component.routes) {
          if (map.has(route.key)) throw new BootError(`duplicate route ${route.key}`);
          map.set(route.key, route);
        }
      }
    }
  }
}
