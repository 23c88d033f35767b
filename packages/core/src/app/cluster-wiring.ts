import type { Container } from 'inversify';
import { BIND_ANNOUNCER } from '../cluster/bind-announcer';
import { TOKENS } from '../tokens';

/**
 * Connects this server to its cluster: the RPC server and client, service discovery, what
 * backend sessions ask of their frontend, and, on frontends, the subscriptions of bound users.
 * In standalone mode the same wiring runs over providers that have nobody to talk to.
 * `onFatal`: discovery lost this server's registration for good.
 */
export async function startCluster(c: Container, onFatal: (error: Error) => void): Promise<void> {
  const self = c.get(TOKENS.ServerInfo);
  const config = c.get(TOKENS.Config);
  const discovery = c.get(TOKENS.ServiceDiscovery);
  const rpcClient = c.get(TOKENS.RpcClient);
  const rpcServer = c.get(TOKENS.RpcServer);
  const pool = c.get(TOKENS.SessionPool);
  const unique = config.get('pitaya.session.unique');
  const unreachable = c.get(TOKENS.UnreachableServers);
  const caller = c.get(TOKENS.RpcCaller);
  const announcer = c.get(BIND_ANNOUNCER);

  await rpcServer.start(c.get(TOKENS.ClusterRequestHandler));
  await rpcClient.start();
  discovery.addListener({ fatal: (error) => onFatal(error) });
  // a server listed again is tried again; one that leaves answers what it holds within its shutdown
  // delay and timeout (the cluster's servers share their configuration)
  discovery.addListener(unreachable);
  const leaving = config.get('pitaya.cluster.sd.etcd.shutdown.delay') + config.get('pitaya.shutdown.timeout');
  discovery.addListener({ removed: (server) => caller.serverLeft(server.id, leaving) });
  await discovery.start();

  if (rpcClient.clustered && self.frontend) {
    // pushes and kicks for a user reach the frontend that holds it; a bind elsewhere kicks here
    pool.onAfterSessionBind(async (session) => {
      const { uid } = session;
      if (uid === undefined) return; // the pool calls these once the session is bound
      // announced before this frontend takes the uid: a binding storage (gRPC) still names the
      // frontend that held it, the one to tell
      if (unique && !session.closed) await announcer.announce(session, uid);
      if (session.closed) return;
      // each bound session holds the uid's subscription until it closes: a user who logs in again
      // here holds it before the old session has finished closing, and keeps it after
      session.onClose(() => rpcServer.unsubscribeUser(uid));
      await rpcServer.subscribeUser(uid);
    });
  }
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
