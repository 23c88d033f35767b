import 'reflect-metadata';
import * as os from 'node:os';
import { randomUUID } from 'node:crypto';
import { Container, type ContainerModule, type Newable } from 'inversify';
import type { HandshakeValidator } from '../agent/handshake-validator';
import { loadConfig, type NoAppKeys } from '../config/config-loader';
import type { ConfigSchema } from '../config/config-schema';
import { BootError } from '../errors/boot-error';
import { createLogger, type Logger } from '../logging/logger';
import type { Module } from '../modules/module';
import type { Acceptor } from '../net/acceptor';
import type { PipelineRef } from '../pipeline/pipeline';
import type { ServerInfo } from '../rpc/service-discovery';
import { FORWARDS_IN_ORDER, FORWARDS_METADATA_KEY } from '../cluster/session-turns';
import { TOKENS } from '../tokens';
import { clusterModule } from './modules/cluster.module';
import { connectionsModule } from './modules/connections.module';
import { defaultsModule } from './modules/defaults.module';
import { handlersModule } from './modules/handlers.module';
import { settingsModule } from './modules/settings.module';
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
    // what pitaya-ts servers do beyond Pitaya, for the others to know
    metadata: { [FORWARDS_METADATA_KEY]: FORWARDS_IN_ORDER, ...options.metadata },
  };
  const logger =
    options.logger ??
    createLogger(config.get('pitaya.log.level'), { serverType, serverId }, config.get('pitaya.log.format'));
  for (const warning of config.warnings) logger.warn(warning);

  const c = new Container({ defaultScope: 'Singleton' });
  const classes = { handlers: options.handlers ?? [], remotes: options.remotes ?? [] };
  c.load(
    settingsModule({ config, logger, server, acceptors, options }),
    defaultsModule(),
    handlersModule(c, classes),
    clusterModule(),
    connectionsModule(),
  );
  for (const provider of options.providers ?? []) c.load(provider);

  const app = new PitayaApp<A>(c, { ...classes, handleSignals: options.handleSignals ?? true });
  c.bind(TOKENS.App).toConstantValue(app);
  return app;
}
