import { MemoryCluster } from '@pitaya-ts/core/provider';
import { clusterSuite } from './cluster-suite';

const cluster = new MemoryCluster();
clusterSuite('in-memory providers', () => [cluster.providers()], { pipelined: true });
