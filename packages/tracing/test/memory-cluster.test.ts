import 'reflect-metadata';
import { MemoryCluster } from '@pitaya-ts/core/provider';
import { tracingSuite } from './tracing-suite';

let cluster: MemoryCluster;

tracingSuite('in-memory cluster', 'Memory', () => [cluster.providers()], {
  beforeAll: async () => {
    cluster = new MemoryCluster();
  },
});
