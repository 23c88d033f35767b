export { etcdDiscoveryModule } from './etcd-discovery.module';
export { EtcdServiceDiscovery, type EtcdServiceDiscoveryOptions } from './etcd-service-discovery';
export { etcdBindingStorageModule } from './etcd-binding-storage.module';
export { EtcdBindingStorage, type EtcdBindingStorageOptions } from './etcd-binding-storage';
export { etcdGroupsModule } from './etcd-groups.module';
export { EtcdGroupService, type EtcdGroupServiceOptions } from './etcd-group-service';
