import { RouteDictionary } from '@pitaya-ts/protocol';
import { ContainerModule } from 'inversify';
import type { PitayaConfig } from '../../config/config-loader';
import type { Logger } from '../../logging/logger';
import type { HandshakeValidator } from '../../agent/handshake-validator';
import type { Module } from '../../modules/module';
import type { Acceptor } from '../../net/acceptor';
import type { PipelineRef } from '../../pipeline/pipeline';
import type { ServerInfo } from '../../rpc/service-discovery';
import { TOKENS } from '../../tokens';

export interface Settings {
  config: PitayaConfig;
  logger: Logger;
  server: ServerInfo;
  acceptors: Acceptor[];
  /** As `bootstrap()` was given them. */
  options: {
    modules?: Module[];
    handshakeValidators?: Record<string, HandshakeValidator>;
    routeDictionary?: Record<string, number> | string[];
    pushTypes?: Record<string, string>;
    pipelines?: { before?: PipelineRef[]; after?: PipelineRef[] };
  };
}

/** What `bootstrap()` was given and made of it: the configuration, this server, its acceptors... */
export function settingsModule({ config, logger, server, acceptors, options }: Settings): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(TOKENS.Config).toConstantValue(config);
    bind(TOKENS.Logger).toConstantValue(logger);
    bind(TOKENS.ServerInfo).toConstantValue(server);
    bind(TOKENS.Acceptors).toConstantValue(acceptors);
    bind(TOKENS.Modules).toConstantValue(options.modules ?? []);
    bind(TOKENS.HandshakeValidators).toConstantValue(
      Object.entries(options.handshakeValidators ?? {}).map(([name, validate]) => ({ name, validate })),
    );
    const dict = options.routeDictionary;
    bind(TOKENS.RouteDictionary).toConstantValue(
      Array.isArray(dict) ? RouteDictionary.fromRoutes(dict) : new RouteDictionary(dict ?? {}),
    );
    bind(TOKENS.PushTypes).toConstantValue(options.pushTypes ?? {});
    bind(TOKENS.GlobalPipelines).toConstantValue({
      before: options.pipelines?.before ?? [],
      after: options.pipelines?.after ?? [],
    });
  });
}
