import type { Container } from 'inversify';
import { OutboundEncoder } from '../serialize/outbound';
import { ClusterRequestHandler } from '../cluster/cluster-request-handler';
import { clusterForwarder } from '../cluster/cluster-forwarder';
import type { BackendSessionOps } from '../cluster/backend-session';
import { encodeKickMsg, encodeSession } from '../wire/protos';
import { RpcCaller } from '../cluster/rpc-caller';
import type { HandlerService } from '../handler/handler-service';
import type { Forwarder } from '../dispatch/message-processor';
import { ErrorCode, PitayaError } from '../errors/pitaya-error';
import type { Logger } from '../logging/logger';
import type { RemoteService } from '../handler/remote-service';
import type { RouteParser } from '../routing/route';
import { TOKENS } from '../tokens';

export interface ClusterParts {
  caller: RpcCaller;
  /** Set when there is a cluster to forward to. */
  forwarder: Forwarder | undefined;
}

export interface ClusterDeps {
  routes: RouteParser;
  handlers: HandlerService;
  remotes: () => RemoteService;
  timeoutMs: number;
  logger: Logger;
  /** Discovery lost this server's registration for good. */
  onFatal(error: Error): void;
}

/**
 * Connects this server to its cluster: the RPC server and client, service discovery, what
 * backend sessions ask of their frontend, and, on frontends, the subscriptions of bound users.
 * In standalone mode the same wiring runs over providers that have nobody to talk to.
 */
export async function startCluster(c: Container, deps: ClusterDeps): Promise<ClusterParts> {
  const self = c.get(TOKENS.ServerInfo);
  const config = c.get(TOKENS.Config);
  const discovery = c.get(TOKENS.ServiceDiscovery);
  const rpcClient = c.get(TOKENS.RpcClient);
  const rpcServer = c.get(TOKENS.RpcServer);
  const pool = c.get(TOKENS.SessionPool);
  const messenger = c.get(TOKENS.UserMessenger);
  const unique = config.get('pitaya.session.unique');
  const clustered = rpcClient.clustered;
  const unreachable = c.get(TOKENS.UnreachableServers);
  const probeMs = clustered ? config.get('pitaya.cluster.rpc.client.unreachable.probe') : 0;
  const tracer = c.get(TOKENS.Tracer);
  const caller = new RpcCaller(self, rpcClient, deps.remotes, deps.routes, unreachable, probeMs, tracer);

  const frontend = (id: string) => {
    const server = discovery.getServer(id);
    if (!server) throw new PitayaError(ErrorCode.Internal, `frontend ${id} is not in the cluster`, { server: id });
    return server;
  };
  const sys = (id: string, route: string, arg: Uint8Array) =>
    caller.user(frontend(id), route, arg, { timeoutMs: deps.timeoutMs }).then(() => undefined);
  const sessionOps: BackendSessionOps = {
    bindOnFrontend: (id, snapshot) => sys(id, 'sys.bindsession', encodeSession(snapshot)),
    pushSessionToFrontend: (id, snapshot) => sys(id, 'sys.pushsession', encodeSession(snapshot)),
    kickOnFrontend: (id, uid) => sys(id, 'sys.kick', encodeKickMsg(uid)),
    pushToUser: async (id, uid, route, body) => {
      const failed = await messenger.pushToUsers(route, body, [uid], frontend(id).type);
      if (failed.length > 0) throw new PitayaError(ErrorCode.Internal, `cannot push to ${uid}`, { uid });
    },
  };

  await rpcServer.start(
    new ClusterRequestHandler({
      self,
      routes: deps.routes,
      handlers: deps.handlers,
      remotes: deps.remotes(),
      pool,
      outbound: c.get(OutboundEncoder),
      sessionOps,
      unique,
      logger: deps.logger,
      tracer,
    }),
  );
  await rpcClient.start();
  discovery.addListener({ fatal: (error) => deps.onFatal(error) });
  // a server listed again is tried again; one that leaves answers what it holds within its shutdown
  // delay and timeout (the cluster's servers share their configuration)
  discovery.addListener(unreachable);
  const leaving = config.get('pitaya.cluster.sd.etcd.shutdown.delay') + config.get('pitaya.shutdown.timeout');
  discovery.addListener({ removed: (server) => caller.serverLeft(server.id, leaving) });
  await discovery.start();

  if (clustered && self.frontend) {
    // pushes and kicks for a user reach the frontend that holds it; a bind elsewhere kicks here
    pool.onAfterSessionBind(async (session) => {
      const uid = session.uid!;
      if (session.closed) return;
      // each bound session holds the uid's subscription until it closes: a user who logs in again
      // here holds it before the old session has finished closing, and keeps it after
      session.onClose(() => rpcServer.unsubscribeUser(uid));
      await rpcServer.subscribeUser(uid);
      if (unique) await rpcClient.announceBind(self.type, { uid, fid: self.id });
    });
  }
  const forwarder = clustered ? clusterForwarder(c.get(TOKENS.Router), caller, deps.timeoutMs) : undefined;
  return { caller, forwarder };
}

/**
 * Leaves the cluster: deregister first, so nobody picks this server while it closes, then stop
 * taking RPCs and answer those received (waiting up to `timeoutMs` for their handlers).
 */
export async function leaveCluster(c: Container, timeoutMs: number): Promise<void> {
  await c.get(TOKENS.ServiceDiscovery).stop();
  await c.get(TOKENS.RpcServer).stop(timeoutMs);
}

/** Last: the shutdown hooks may still call other servers. */
export async function stopRpcClient(c: Container): Promise<void> {
  await c.get(TOKENS.RpcClient).stop();
}
