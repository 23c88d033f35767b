import { EtcdGroupService } from '@pitaya-ts/etcd';
import { startEtcdServer, type EtcdServer } from '@pitaya-ts/testing';
import { groupContract } from '../../core/test/contracts/group-contract';

let etcd: EtcdServer;

beforeAll(async () => {
  etcd = await startEtcdServer();
}, 30_000);

afterAll(async () => {
  await etcd?.destroy();
});

groupContract('etcd (real server)', () => ({
  create: (messenger) =>
    new EtcdGroupService({
      endpoints: [etcd.endpoint],
      prefix: 'groups-test/',
      dialTimeoutMs: 5000,
      transactionTimeoutMs: 5000,
      messenger,
    }),
  shared: true,
}));
