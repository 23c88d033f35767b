import { MemoryCluster } from '@pitaya-ts/core/provider';
import { clusterFailuresSuite } from './cluster-failures-suite';

const cluster = new MemoryCluster();
clusterFailuresSuite('in-memory providers', () => [cluster.providers()]);
