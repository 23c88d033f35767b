import { ContainerModule, type ResolutionContext } from 'inversify';
import { clusterForwarder, standaloneForwarder } from '../../cluster/cluster-forwarder';
import { BIND_ANNOUNCER, BindAnnouncer } from '../../cluster/bind-announcer';
import { ClusterRequestHandler } from '../../cluster/cluster-request-handler';
import { FrontendCalls } from '../../cluster/frontend-calls';
import { RpcCaller } from '../../cluster/rpc-caller';
import { RpcService } from '../../cluster/rpc-service';
import { TOKENS } from '../../tokens';

/** The deadline of RPCs and forwarded messages made without one: the RPC client's, or NATS's key. */
const requestTimeoutMs = (ctx: ResolutionContext): number =>
  ctx.get(TOKENS.RpcClient).requestTimeoutMs ??
  ctx.get(TOKENS.Config).get('pitaya.cluster.rpc.client.nats.requesttimeout');

/**
 * This server's side of the cluster: the RPC caller, the application's RPCs, the forwarder of
 * client messages for other server types, and the handler of what the cluster sends. Whether
 * there is a cluster is the RPC client's to say (`RpcClient.clustered`).
 */
export function clusterModule(): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(BIND_ANNOUNCER).toDynamicValue(
      (ctx) =>
        new BindAnnouncer(
          ctx.get(TOKENS.ServerInfo),
          ctx.get(TOKENS.RpcClient),
          ctx.get(TOKENS.Logger).child({ component: 'cluster' }),
        ),
    );
    bind(TOKENS.RpcCaller).toDynamicValue((ctx) => {
      const client = ctx.get(TOKENS.RpcClient);
      const remotes = ctx.get(TOKENS.RemoteService);
      const probeMs = client.clustered ? ctx.get(TOKENS.Config).get('pitaya.cluster.rpc.client.unreachable.probe') : 0;
      return new RpcCaller(
        ctx.get(TOKENS.ServerInfo),
        client,
        () => remotes,
        ctx.get(TOKENS.Routes),
        ctx.get(TOKENS.UnreachableServers),
        probeMs,
        ctx.get(TOKENS.Tracer),
      );
    });
    bind(TOKENS.RpcService).toDynamicValue(
      (ctx) =>
        new RpcService(
          ctx.get(TOKENS.ServerInfo),
          ctx.get(TOKENS.Config),
          ctx.get(TOKENS.Routes),
          ctx.get(TOKENS.RemoteService),
          ctx.get(TOKENS.Router),
          ctx.get(TOKENS.ServiceDiscovery),
          ctx.get(TOKENS.RpcCaller),
          ctx.get(TOKENS.RpcCodec),
          requestTimeoutMs(ctx),
        ),
    );
    bind(TOKENS.Forwarder).toDynamicValue((ctx) =>
      ctx.get(TOKENS.RpcClient).clustered
        ? clusterForwarder(
            ctx.get(TOKENS.Router),
            ctx.get(TOKENS.RpcCaller),
            requestTimeoutMs(ctx),
            ctx.get(TOKENS.Config).get('pitaya.concurrency.handler.pipeline'),
          )
        : standaloneForwarder,
    );
    bind(TOKENS.BackendSessionOps).toDynamicValue(
      (ctx) =>
        new FrontendCalls(
          ctx.get(TOKENS.RpcCaller),
          ctx.get(TOKENS.ServiceDiscovery),
          ctx.get(TOKENS.UserMessenger),
          requestTimeoutMs(ctx),
        ),
    );
    bind(TOKENS.ClusterRequestHandler).toDynamicValue(
      (ctx) =>
        new ClusterRequestHandler({
          self: ctx.get(TOKENS.ServerInfo),
          routes: ctx.get(TOKENS.Routes),
          handlers: ctx.get(TOKENS.HandlerService),
          remotes: ctx.get(TOKENS.RemoteService),
          pool: ctx.get(TOKENS.SessionPool),
          outbound: ctx.get(TOKENS.OutboundEncoder),
          sessionOps: ctx.get(TOKENS.BackendSessionOps),
          unique: ctx.get(TOKENS.Config).get('pitaya.session.unique'),
          binds: ctx.get(BIND_ANNOUNCER),
          logger: ctx.get(TOKENS.Logger).child({ component: 'cluster' }),
          tracer: ctx.get(TOKENS.Tracer),
        }),
    );
  });
}
