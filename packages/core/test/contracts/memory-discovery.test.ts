import { MemoryCluster, MemoryServiceDiscovery } from '@pitaya-ts/core/provider';
import { discoveryContract } from './discovery-contract';

// one cluster per test, so tests do not see each other's servers
let cluster = new MemoryCluster();
beforeEach(() => {
  cluster = new MemoryCluster();
});

discoveryContract('in-memory', () => ({
  create: (self, options) => new MemoryServiceDiscovery(cluster, self, options?.blacklist),
  updateMetadata: (discovery, metadata) => discovery.updateMetadata!(metadata),
}));
