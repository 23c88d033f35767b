import { ContainerModule } from 'inversify';
import { TOKENS } from '@pitaya-ts/core';
import { NatsRpcClient } from './nats-rpc-client';
import { NatsRpcServer } from './nats-rpc-server';

/**
 * RPC over NATS for a server: its client and server, configured by
 * `pitaya.cluster.rpc.{client,server}.nats.*`.
 */
export function natsRpcModule(): ContainerModule {
  return new ContainerModule(({ rebind }) => {
    rebind(TOKENS.RpcClient).toDynamicValue((ctx) => {
      const config = ctx.get(TOKENS.Config);
      return new NatsRpcClient({
        url: config.get('pitaya.cluster.rpc.client.nats.connect'),
        connectTimeoutMs: config.get('pitaya.cluster.rpc.client.nats.connectiontimeout'),
        maxReconnectAttempts: config.get('pitaya.cluster.rpc.client.nats.maxreconnectionretries'),
        self: ctx.get(TOKENS.ServerInfo),
        logger: ctx.get(TOKENS.Logger).child({ component: 'nats-rpc-client' }),
      });
    });
    rebind(TOKENS.RpcServer).toDynamicValue((ctx) => {
      const config = ctx.get(TOKENS.Config);
      return new NatsRpcServer({
        url: config.get('pitaya.cluster.rpc.server.nats.connect'),
        connectTimeoutMs: config.get('pitaya.cluster.rpc.server.nats.connectiontimeout'),
        maxReconnectAttempts: config.get('pitaya.cluster.rpc.server.nats.maxreconnectionretries'),
        concurrency: config.get('pitaya.cluster.rpc.server.nats.services'),
        backlog: config.get('pitaya.buffer.cluster.rpc.server.nats.messages'),
        self: ctx.get(TOKENS.ServerInfo),
        reporter: ctx.get(TOKENS.MetricsReporter),
        logger: ctx.get(TOKENS.Logger).child({ component: 'nats-rpc-server' }),
      });
    });
  });
}
