import 'reflect-metadata';
import * as os from 'node:os';
import { randomUUID } from 'node:crypto';
import { RouteDictionary } from '@pitaya-ts/protocol';
import { Container, type ContainerModule, type Newable } from 'inversify';
import { OutboundEncoder } from '../serialize/outbound';
import type { HandshakeValidator } from '../agent/handshake-validator';
import { loadConfig, type NoAppKeys } from '../config/config-loader';
import type { ConfigSchema } from '../config/config-schema';
import { OrderedDispatcher } from '../dispatch/dispatcher';
import { BootError } from '../errors/boot-error';
import { MemoryGroupService } from '../groups/memory-group-service';
import { createLogger, type Logger } from '../logging/logger';
import { metricsReporter } from '../metrics/metrics-from-config';
import type { Module } from '../modules/module';
import type { Acceptor } from '../net/acceptor';
import type { PipelineRef } from '../pipeline/pipeline';
import { DefaultRouter } from '../rpc/router';
import { UnreachableServers } from '../rpc/unreachable-servers';
import { StandaloneRpcClient, StandaloneRpcServer } from '../rpc/rpc-client';
import { StandaloneServiceDiscovery, type ServerInfo } from '../rpc/service-discovery';
import { JsonSerializer } from '../serialize/json-serializer';
import { nodeZlib } from '../serialize/node-zlib';
import { ProtobufSerializer } from '../serialize/protobuf-serializer';
import { DefaultUserMessenger } from '../cluster/default-user-messenger';
import { MemorySessionPool } from '../session/memory-session-pool';
import { TOKENS } from '../tokens';
import { NO_TRACER } from '../tracing/tracer';
import { PitayaApp } from './pitaya-app';

export interface BootstrapOptions<A extends ConfigSchema = NoAppKeys> {
  serverType: string;
  /** Unique in the cluster; `<serverType>-<uuid>` by default. */
  serverId?: string;
  /** Holds client connections; true when acceptors are given. */
  frontend?: boolean;
  /** Published with the server in service discovery. */
  metadata?: Record<string, string>;
  handlers?: Newable<object>[];
  remotes?: Newable<object>[];
  acceptors?: Acceptor[];
  modules?: Module[];
  /** `pitaya.*` values, nested or dotted; override the file, overridden by `PITAYA_*` env vars. */
  config?: Record<string, unknown>;
  /** A YAML or JSON configuration file. */
  configFile?: string;
  /** Env vars to read `PITAYA_*` from; process.env by default. */
  env?: Record<string, string | undefined>;
  /**
   * The application's own keys (`configKey.int(...)`...), validated and read from the same
   * sources as Pitaya's (env: `ttt.maxplayers` is `TTT_MAXPLAYERS`); `app.config.get()` types them.
   */
  configSchema?: A;
  /** Route compression: route → code, or routes numbered from 1. Fixed before start. */
  routeDictionary?: Record<string, number> | string[];
  /** Steps every handler runs (after DTO validation). */
  pipelines?: { before?: PipelineRef[]; after?: PipelineRef[] };
  /** Named handshake validators, run in order. */
  handshakeValidators?: Record<string, HandshakeValidator>;
  /** protobuf serializer: message type of each push route. */
  pushTypes?: Record<string, string>;
  /** Providers: modules that rebind core tokens (cluster RPC, discovery, metrics...). */
  providers?: ContainerModule[];
  logger?: Logger;
  /** Stop gracefully on SIGTERM/SIGINT and exit (default true). */
  handleSignals?: boolean;
}

const SERVER_TYPE = /^[A-Za-z0-9_-]+$/;

/**
 * Builds a server: the configuration, and an inversify container with a default provider bound
 * to every token. Rebind any token (`app.container.rebind(TOKENS.X)`) before `app.start()`.
 */
export async function bootstrap<A extends ConfigSchema = NoAppKeys>(
  options: BootstrapOptions<A>,
): Promise<PitayaApp<A>> {
  const { serverType } = options;
  if (!SERVER_TYPE.test(serverType))
    throw new BootError(`invalid server type "${serverType}": letters, digits, - and _ only`);
  const serverId = options.serverId ?? `${serverType}-${randomUUID()}`;
  if (serverId.includes('/')) throw new BootError(`invalid server id "${serverId}": no "/"`);
  const config = loadConfig({
    values: options.config,
    file: options.configFile,
    env: options.env,
    schema: options.configSchema,
  });
  const acceptors = options.acceptors ?? [];
  const server: ServerInfo = {
    id: serverId,
    type: serverType,
    frontend: options.frontend ?? acceptors.length > 0,
    hostname: os.hostname(),
    metadata: options.metadata ?? {},
  };
  const logger =
    options.logger ??
    createLogger(config.get('pitaya.log.level'), { serverType, serverId }, config.get('pitaya.log.format'));
  for (const warning of config.warnings) logger.warn(warning);

  const c = new Container({ defaultScope: 'Singleton' });
  c.bind(TOKENS.Config).toConstantValue(config);
  c.bind(TOKENS.Logger).toConstantValue(logger);
  c.bind(TOKENS.ServerInfo).toConstantValue(server);
  c.bind(TOKENS.Acceptors).toConstantValue(acceptors);
  c.bind(TOKENS.Modules).toConstantValue(options.modules ?? []);
  c.bind(TOKENS.HandshakeValidators).toConstantValue(
    Object.entries(options.handshakeValidators ?? {}).map(([name, validate]) => ({ name, validate })),
  );
  const dict = options.routeDictionary;
  c.bind(TOKENS.RouteDictionary).toConstantValue(
    Array.isArray(dict) ? RouteDictionary.fromRoutes(dict) : new RouteDictionary(dict ?? {}),
  );
  c.bind(TOKENS.PushTypes).toConstantValue(options.pushTypes ?? {});
  c.bind(TOKENS.GlobalPipelines).toConstantValue({
    before: options.pipelines?.before ?? [],
    after: options.pipelines?.after ?? [],
  });
  c.bind(TOKENS.Serializer).toDynamicValue(() =>
    config.get('pitaya.serializer') === 'protobuf'
      ? new ProtobufSerializer(config.get('pitaya.serializer.protobuf.files'))
      : new JsonSerializer(config.get('pitaya.serializer.json.maxdepth')),
  );
  c.bind(TOKENS.SessionPool).toDynamicValue(
    () => new MemorySessionPool(serverId, logger.child({ component: 'sessions' })),
  );
  c.bind(TOKENS.Dispatcher).toDynamicValue(
    () => new OrderedDispatcher(config.get('pitaya.concurrency.handler.dispatch')),
  );
  c.bind(OutboundEncoder).toDynamicValue(
    (ctx) =>
      new OutboundEncoder(ctx.get(TOKENS.RouteDictionary), config.get('pitaya.handler.messages.compression'), nodeZlib),
  );
  c.bind(TOKENS.UserMessenger).toDynamicValue(
    (ctx) =>
      new DefaultUserMessenger(
        server,
        ctx.get(TOKENS.SessionPool),
        ctx.get(TOKENS.Serializer),
        () => ctx.get(OutboundEncoder),
        ctx.get(TOKENS.PushTypes),
        ctx.get(TOKENS.RpcClient),
        ctx.get(TOKENS.ServiceDiscovery),
      ),
  );
  c.bind(TOKENS.GroupService).toDynamicValue(
    (ctx) => new MemoryGroupService(ctx.get(TOKENS.UserMessenger), config.get('pitaya.groups.memory.tickduration')),
  );
  c.bind(TOKENS.ServiceDiscovery).toDynamicValue(() => new StandaloneServiceDiscovery(server));
  c.bind(TOKENS.UnreachableServers).toDynamicValue(
    () => new UnreachableServers(config.get('pitaya.cluster.rpc.client.unreachable.hold')),
  );
  c.bind(TOKENS.Router).toDynamicValue(
    (ctx) => new DefaultRouter(ctx.get(TOKENS.ServiceDiscovery), ctx.get(TOKENS.UnreachableServers)),
  );
  c.bind(TOKENS.RpcClient).toDynamicValue(() => new StandaloneRpcClient());
  c.bind(TOKENS.RpcServer).toDynamicValue(() => new StandaloneRpcServer());
  c.bind(TOKENS.MetricsReporter).toDynamicValue(() => metricsReporter(config, serverType));
  c.bind(TOKENS.Tracer).toConstantValue(NO_TRACER);
  for (const provider of options.providers ?? []) await c.load(provider);

  const app = new PitayaApp<A>(c, {
    handlers: options.handlers ?? [],
    remotes: options.remotes ?? [],
    handleSignals: options.handleSignals ?? true,
  });
  c.bind(TOKENS.App).toConstantValue(app);
  return app;
}
