import { EtcdGroupService } from '@pitaya-ts/etcd';
import { startEtcdServer, waitFor, type EtcdServer } from '@pitaya-ts/testing';
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

describe('etcd groups across an etcd restart', () => {
  it('finds its groups and members again once etcd is back', async () => {
    const groups = new EtcdGroupService({
      endpoints: [etcd.endpoint],
      prefix: 'groups-restart/',
      dialTimeoutMs: 5000,
      transactionTimeoutMs: 2000,
      messenger: { pushToUsers: async () => [], kickUsers: async () => [] },
    });
    await groups.start();
    try {
      await groups.create('lobby');
      await groups.addMember('lobby', 'u1');
      await etcd.stop();
      await expect(groups.members('lobby')).rejects.toThrow();
      await etcd.start();
      await waitFor(
        async () => ((await groups.members('lobby').catch(() => [])) as string[]).includes('u1'),
        20_000,
        'the group after the restart',
      );
      await groups.addMember('lobby', 'u2');
      await expect(groups.count('lobby')).resolves.toBe(2);
    } finally {
      await groups.stop();
    }
  }, 60_000);
});
