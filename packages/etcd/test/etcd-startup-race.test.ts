import 'reflect-metadata';
import pino from 'pino';
import { Etcd3, MultiRangeBuilder } from 'etcd3';
import { NoopMetricsReporter, type ServerInfo } from '@pitaya-ts/core';
import { EtcdServiceDiscovery } from '@pitaya-ts/etcd';
import { startEtcdServer, waitFor, type EtcdServer } from '@pitaya-ts/testing';

let etcd: EtcdServer;
let client: Etcd3;
let round = 0;

beforeAll(async () => {
  etcd = await startEtcdServer();
  client = new Etcd3({ hosts: `http://${etcd.endpoint}` });
}, 30_000);

afterAll(async () => {
  client?.close();
  await etcd?.destroy();
});

const server = (id: string): ServerInfo => ({ id, type: 'room', frontend: false, hostname: 'h', metadata: {} });

function discovery(self: ServerInfo, prefix: string): EtcdServiceDiscovery {
  return new EtcdServiceDiscovery({
    endpoints: [etcd.endpoint],
    dialTimeoutMs: 5000,
    prefix,
    leaseTtlSec: 60,
    grantTimeoutMs: 5000,
    grantRetries: 3,
    grantRetryIntervalMs: 200,
    revokeTimeoutMs: 2000,
    // no periodic re-read to hide a server the watch missed
    syncIntervalMs: 600_000,
    syncParallelism: 10,
    shutdownDelayMs: 0,
    blacklist: [],
    self,
    reporter: new NoopMetricsReporter(),
    logger: pino({ level: 'silent' }),
  });
}

describe('etcd discovery: servers that start together', () => {
  afterEach(() => jest.restoreAllMocks());

  it('sees a server that registers between its read of the prefix and the start of its watch', async () => {
    const prefix = `between-${++round}/`;
    const late = server('late');
    // the first read of the prefix (the discovery's own, at start) answers, then `late` registers
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called with .call(this)
    const read = MultiRangeBuilder.prototype.exec;
    const exec = jest.spyOn(MultiRangeBuilder.prototype, 'exec').mockImplementationOnce(async function (
      this: MultiRangeBuilder,
    ) {
      const answer = await read.call(this);
      await client.put(`${prefix}servers/room/late`).value(JSON.stringify(late));
      return answer;
    });
    const early = discovery(server('early'), prefix);
    await early.start();
    try {
      expect(exec).toHaveBeenCalled();
      await waitFor(() => early.getServer('late') !== undefined, 'the late server');
      expect(early.getServer('late')).toEqual(late);
    } finally {
      await early.stop();
      await client.delete().key(`${prefix}servers/room/late`);
    }
  });

  it('lets servers started at the same instant all see each other, round after round', async () => {
    for (let r = 0; r < 20; r++) {
      const prefix = `together-${++round}/`;
      const ids = ['a', 'b', 'c', 'd'].map((name) => `${name}-${r}`);
      const servers = ids.map((id) => discovery(server(id), prefix));
      await Promise.all(servers.map((d) => d.start()));
      try {
        const agree = () => servers.every((d) => d.servers().length === ids.length);
        await waitFor(agree, 'the views to agree').catch(() => {
          const views = servers.map(
            (d, i) =>
              `${ids[i]} sees ${d
                .servers()
                .map((s) => s.id)
                .join(',')}`,
          );
          throw new Error(`round ${r}: the views never agreed: ${views.join('; ')}`);
        });
      } finally {
        await Promise.all(servers.map((d) => d.stop()));
      }
    }
  }, 120_000);
});
