import { ContainerModule } from 'inversify';
import { DefaultUserMessenger } from '../../cluster/default-user-messenger';
import { OrderedDispatcher } from '../../dispatch/dispatcher';
import { MemoryGroupService } from '../../groups/memory-group-service';
import { metricsReporter } from '../../metrics/metrics-from-config';
import { DefaultRouter } from '../../rpc/router';
import { StandaloneRpcClient, StandaloneRpcServer } from '../../rpc/rpc-client';
import { StandaloneServiceDiscovery } from '../../rpc/service-discovery';
import { UnreachableServers } from '../../rpc/unreachable-servers';
import { JsonSerializer } from '../../serialize/json-serializer';
import { ProtobufSerializer } from '../../serialize/protobuf-serializer';
import { MemorySessionPool } from '../../session/memory-session-pool';
import { TOKENS } from '../../tokens';
import { NO_TRACER } from '../../tracing/tracer';

/**
 * The default provider of every swappable concern: one server on its own (no discovery, no RPC),
 * in-memory sessions and groups, the serializer and metrics `pitaya.*` names. Providers rebind them.
 */
export function defaultsModule(): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(TOKENS.Serializer).toDynamicValue((ctx) => {
      const config = ctx.get(TOKENS.Config);
      return config.get('pitaya.serializer') === 'protobuf'
        ? new ProtobufSerializer(config.get('pitaya.serializer.protobuf.files'))
        : new JsonSerializer(config.get('pitaya.serializer.json.maxdepth'));
    });
    bind(MemorySessionPool).toDynamicValue(
      (ctx) =>
        new MemorySessionPool(ctx.get(TOKENS.ServerInfo).id, ctx.get(TOKENS.Logger).child({ component: 'sessions' })),
    );
    // one pool, two views: what the application reads, and what the framework does with it
    bind(TOKENS.SessionPool).toService(MemorySessionPool);
    bind(TOKENS.SessionLifecycle).toService(MemorySessionPool);
    bind(TOKENS.Dispatcher).toDynamicValue(
      (ctx) =>
        new OrderedDispatcher(
          ctx.get(TOKENS.Config).get('pitaya.concurrency.handler.dispatch'),
          // a session's pipelined forwards ride on its slot
          ctx.get(TOKENS.Config).get('pitaya.concurrency.handler.pipeline'),
        ),
    );
    bind(TOKENS.UserMessenger).toDynamicValue(
      (ctx) =>
        new DefaultUserMessenger(
          ctx.get(TOKENS.ServerInfo),
          ctx.get(TOKENS.SessionPool),
          ctx.get(TOKENS.Serializer),
          () => ctx.get(TOKENS.OutboundEncoder),
          ctx.get(TOKENS.PushTypes),
          ctx.get(TOKENS.RpcClient),
          ctx.get(TOKENS.ServiceDiscovery),
        ),
    );
    bind(TOKENS.GroupService).toDynamicValue(
      (ctx) =>
        new MemoryGroupService(
          ctx.get(TOKENS.UserMessenger),
          ctx.get(TOKENS.Config).get('pitaya.groups.memory.tickduration'),
        ),
    );
    bind(TOKENS.ServiceDiscovery).toDynamicValue((ctx) => new StandaloneServiceDiscovery(ctx.get(TOKENS.ServerInfo)));
    bind(TOKENS.UnreachableServers).toDynamicValue(
      (ctx) => new UnreachableServers(ctx.get(TOKENS.Config).get('pitaya.cluster.rpc.client.unreachable.hold')),
    );
    bind(TOKENS.Router).toDynamicValue(
      (ctx) => new DefaultRouter(ctx.get(TOKENS.ServiceDiscovery), ctx.get(TOKENS.UnreachableServers)),
    );
    bind(TOKENS.RpcClient).toDynamicValue(() => new StandaloneRpcClient());
    bind(TOKENS.RpcServer).toDynamicValue(() => new StandaloneRpcServer());
    bind(TOKENS.Tracer).toConstantValue(NO_TRACER);
    bind(TOKENS.MetricsReporter).toDynamicValue((ctx) =>
      metricsReporter(ctx.get(TOKENS.Config), ctx.get(TOKENS.ServerInfo).type),
    );
  });
}
