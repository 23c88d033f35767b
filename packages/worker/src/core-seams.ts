import type { ContainerModuleLoadOptions, ResolutionContext } from 'inversify';
import {
  ProtobufSerializer,
  TOKENS,
  type ConfigValue,
  type Logger,
  type MetricsReporter,
  type Module,
  type ServerInfo,
} from '@pitaya-ts/core';
import { routeAndCall } from '@pitaya-ts/core/provider';
import type { WorkerConfigKey } from './worker-config';

/**
 * Everything the worker takes from `@pitaya-ts/core`, in one place: core's composition root may
 * change, and only this file then has to follow.
 */
export interface Core {
  logger: Logger;
  reporter: MetricsReporter;
  /** The server's value of a `pitaya.worker.*` key. */
  setting: <K extends WorkerConfigKey>(key: K) => ConfigValue<K>;
  /** How long a stopping server waits for what it started (`pitaya.shutdown.timeout`). */
  shutdownTimeoutMs: number;
  /** Encodes an argument as `app.rpc` does for a protobuf type (pitaya.serializer.protobuf.files). */
  marshal(value: unknown, type: string): Uint8Array;
  protoFiles: string[];
  /** Makes a user RPC with a serialized argument, to the server `pick` chooses, else the router's. */
  call(route: string, body: Uint8Array, metadata: Record<string, unknown>, pick?: ServerPicker): Promise<void>;
}

/** Pitaya's RPCJob.ServerDiscovery: the server that runs a job, or undefined for the router's choice. */
export type ServerPicker = (
  job: { route: string; metadata: Record<string, unknown> },
  servers: ServerInfo[],
) => ServerInfo | undefined;

export function core(ctx: ResolutionContext): Core {
  const config = ctx.get(TOKENS.Config);
  const protoFiles = config.get('pitaya.serializer.protobuf.files');
  let serializer: ProtobufSerializer | undefined;
  // resolved at the first call: the app is bound after the providers are loaded
  const app = () => ctx.get(TOKENS.App);

  const callOn = async (server: ServerInfo, route: string, body: Uint8Array, metadata: Record<string, unknown>) => {
    const self = app();
    if (server.id !== self.server.id) {
      await self.rpcTo(server.id, route, body, { metadata });
      return;
    }
    // this server: rpcTo hands values to a local remote, and these are bytes to decode as an RPC's
    const [serverType, service, method] = route.split('.') as [string, string, string];
    const parsed = { serverType, service, method, key: `${service}.${method}`, full: route };
    await self.remotes().callSerialized(parsed, body, metadata);
  };

  return {
    logger: ctx.get(TOKENS.Logger).child({ component: 'worker' }),
    reporter: ctx.get(TOKENS.MetricsReporter),
    setting: (key) => config.get(key),
    shutdownTimeoutMs: config.get('pitaya.shutdown.timeout'),
    protoFiles,
    marshal: (value, type) => (serializer ??= new ProtobufSerializer(protoFiles)).marshal(value, type),
    call: async (route, body, metadata, pick) => {
      const [serverType = ''] = route.split('.');
      const chosen = pick?.({ route, metadata }, ctx.get(TOKENS.ServiceDiscovery).getServersByType(serverType));
      if (chosen) return callOn(chosen, route, body, metadata);
      await routeAndCall(ctx.get(TOKENS.Router), serverType, route, undefined, body, (server) =>
        callOn(server, route, body, metadata),
      );
    },
  };
}

/** Runs `module`'s hooks with the server's other modules (`init`... `shutdown`). */
export function addModule(options: ContainerModuleLoadOptions, module: (ctx: ResolutionContext) => Module): void {
  options.onActivation(TOKENS.Modules, (ctx, modules) => [...modules, module(ctx)]);
}
