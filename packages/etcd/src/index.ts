export { etcdDiscoveryModule } from './etcd-discovery.module';
export { EtcdServiceDiscovery, type EtcdServiceDiscoveryOptions } from './etcd-service-discovery';
