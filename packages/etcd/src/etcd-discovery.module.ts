import { ContainerModule } from 'inversify';
import { TOKENS } from '@pitaya-ts/core';
import { EtcdServiceDiscovery } from './etcd-service-discovery';

/** Service discovery on etcd for a server, configured by `pitaya.cluster.sd.etcd.*`. */
export function etcdDiscoveryModule(): ContainerModule {
  return new ContainerModule(({ rebind }) => {
    rebind(TOKENS.ServiceDiscovery).toDynamicValue((ctx) => {
      const config = ctx.get(TOKENS.Config);
      return new EtcdServiceDiscovery({
        endpoints: config.get('pitaya.cluster.sd.etcd.endpoints'),
        user: config.get('pitaya.cluster.sd.etcd.user'),
        pass: config.get('pitaya.cluster.sd.etcd.pass'),
        dialTimeoutMs: config.get('pitaya.cluster.sd.etcd.dialtimeout'),
        prefix: config.get('pitaya.cluster.sd.etcd.prefix'),
        leaseTtlSec: Math.max(1, Math.round(config.get('pitaya.cluster.sd.etcd.heartbeat.ttl') / 1000)),
        heartbeatLog: config.get('pitaya.cluster.sd.etcd.heartbeat.log'),
        grantTimeoutMs: config.get('pitaya.cluster.sd.etcd.grantlease.timeout'),
        grantRetries: config.get('pitaya.cluster.sd.etcd.grantlease.maxretries'),
        grantRetryIntervalMs: config.get('pitaya.cluster.sd.etcd.grantlease.retryinterval'),
        revokeTimeoutMs: config.get('pitaya.cluster.sd.etcd.revoke.timeout'),
        syncIntervalMs: config.get('pitaya.cluster.sd.etcd.syncservers.interval'),
        syncParallelism: config.get('pitaya.cluster.sd.etcd.syncservers.parallelism'),
        shutdownDelayMs: config.get('pitaya.cluster.sd.etcd.shutdown.delay'),
        blacklist: config.get('pitaya.cluster.sd.etcd.servertypesblacklist'),
        self: ctx.get(TOKENS.ServerInfo),
        reporter: ctx.get(TOKENS.MetricsReporter),
        logger: ctx.get(TOKENS.Logger).child({ component: 'etcd-discovery' }),
      });
    });
  });
}
