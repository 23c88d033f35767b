/**
 * An application's routes, declared once so that `request`, `notify` and `on` check route names
 * and body types:
 *
 * ```ts
 * interface ChatRoutes {
 *   requests: { 'chat.room.join': { request: { name: string }; response: { members: string[] } } };
 *   notifies: { 'chat.room.send': { text: string } };
 *   pushes: { onMessage: { from: string; text: string } };
 * }
 * const client = await connect<ChatRoutes>('ws://127.0.0.1:3250');
 * ```
 */
export interface RouteMap {
  requests: Record<string, { request: unknown; response: unknown }>;
  notifies: Record<string, unknown>;
  pushes: Record<string, unknown>;
}

/** The default: any route, any body. */
export interface AnyRoutes extends RouteMap {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  requests: Record<string, { request: any; response: any }>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  notifies: Record<string, any>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  pushes: Record<string, any>;
}

export type RequestRoute<R extends RouteMap> = keyof R['requests'] & string;
export type RequestBody<R extends RouteMap, K extends RequestRoute<R>> = R['requests'][K]['request'];
export type ResponseBody<R extends RouteMap, K extends RequestRoute<R>> = R['requests'][K]['response'];
export type NotifyRoute<R extends RouteMap> = keyof R['notifies'] & string;
export type PushRoute<R extends RouteMap> = keyof R['pushes'] & string;
