import 'reflect-metadata';
import { createHook } from 'node:async_hooks';
import pino from 'pino';
import { Etcd3, MultiRangeBuilder, SingleRangeBuilder } from 'etcd3';
import { NoopMetricsReporter, type ServerInfo } from '@pitaya-ts/core';
import { EtcdServiceDiscovery, type EtcdServiceDiscoveryOptions } from '@pitaya-ts/etcd';
import { startEtcdServer, waitFor, type EtcdServer } from '@pitaya-ts/testing';
import { discoveryContract } from '../../core/test/contracts/discovery-contract';
import { captureLogger } from '../../core/test/helpers';

let etcd: EtcdServer;
let prefix = '';
let round = 0;

beforeAll(async () => {
  etcd = await startEtcdServer();
}, 30_000);

afterAll(async () => {
  await etcd?.destroy();
});

beforeEach(() => {
  // a prefix per test: servers of one test never see another's
  prefix = `t${++round}/`;
});

function options(self: ServerInfo, overrides: Partial<EtcdServiceDiscoveryOptions> = {}): EtcdServiceDiscoveryOptions {
  return {
    endpoints: [etcd.endpoint],
    dialTimeoutMs: 5000,
    prefix,
    leaseTtlSec: 60,
    grantTimeoutMs: 5000,
    grantRetries: 3,
    grantRetryIntervalMs: 200,
    revokeTimeoutMs: 2000,
    syncIntervalMs: 60_000,
    syncParallelism: 10,
    shutdownDelayMs: 0,
    blacklist: [],
    self,
    reporter: new NoopMetricsReporter(),
    logger: pino({ level: 'silent' }),
    ...overrides,
  };
}

discoveryContract('etcd', () => ({
  create: (self, extra) => new EtcdServiceDiscovery(options(self, { blacklist: extra?.blacklist ?? [] })),
  updateMetadata: (discovery, metadata) => discovery.updateMetadata!(metadata),
}));

const room: ServerInfo = { id: 'room-9', type: 'room', frontend: false, hostname: 'h', metadata: { grpcPort: '3434' } };

type NodeTimer = NodeJS.Timeout & { _destroyed: boolean; _idleTimeout: number };

/** Records the timers created from now on; `pending(ms)`: the delays of those that keep the process up, if over `ms`. */
function recordTimers(): { pending(ms: number): number[]; stop(): void } {
  const timers: NodeTimer[] = [];
  const hook = createHook({
    init: (_id, type, _trigger, timer) => {
      if (type === 'Timeout') timers.push(timer as NodeTimer);
    },
  }).enable();
  return {
    pending: (ms) =>
      timers.filter((t) => !t._destroyed && t.hasRef() && t._idleTimeout > ms).map((t) => Math.round(t._idleTimeout)),
    stop: () => hook.disable(),
  };
}

describe('etcd discovery, as Pitaya stores it', () => {
  let client: Etcd3;

  beforeAll(() => {
    client = new Etcd3({ hosts: `http://${etcd.endpoint}` });
  });

  afterAll(() => client.close());

  it("puts Pitaya's key and JSON under a lease with the configured TTL, and revokes it at stop", async () => {
    const discovery = new EtcdServiceDiscovery(options(room, { leaseTtlSec: 30 }));
    await discovery.start();
    const key = `${prefix}servers/room/room-9`;
    expect(JSON.parse((await client.get(key).string())!)).toEqual({
      id: 'room-9',
      type: 'room',
      metadata: { grpcPort: '3434' },
      frontend: false,
      hostname: 'h',
    });
    const { lease } = (await client.get(key).exec()).kvs[0]!;
    const ttl = await client.leaseClient.leaseTimeToLive({ ID: lease });
    expect(Number(ttl.grantedTTL)).toBe(30);
    await discovery.stop();
    expect(await client.get(key).string()).toBeNull();
  });

  it('reads servers written by others under the prefix, and ignores foreign keys and bad JSON', async () => {
    await client
      .put(`${prefix}servers/connector/go-1`)
      .value(JSON.stringify({ id: 'go-1', type: 'connector', frontend: true, hostname: 'x', metadata: {} }));
    await client.put(`${prefix}servers/connector/bad`).value('not json');
    await client.put(`${prefix}groups/lobby`).value('{}');
    const discovery = new EtcdServiceDiscovery(options(room));
    await discovery.start();
    expect(
      discovery
        .servers()
        .map((s) => s.id)
        .sort(),
    ).toEqual(['go-1', 'room-9']);
    expect(discovery.getServer('go-1')).toMatchObject({ type: 'connector', frontend: true });
    await discovery.stop();
  });

  it('logs each renewal of its lease at debug level with heartbeat.log, and none without', async () => {
    const quiet = captureLogger('debug');
    const verbose = captureLogger('debug');
    const renewals = (lines: Record<string, unknown>[]) => lines.filter((line) => line.msg === 'etcd lease renewed');
    // a lease is renewed at once, then every third of its TTL: the quiet one, started first, renews first
    const silent = new EtcdServiceDiscovery(
      options({ ...room, id: 'quiet' }, { leaseTtlSec: 3, logger: quiet.logger }),
    );
    const logging = new EtcdServiceDiscovery(
      options(room, { leaseTtlSec: 3, heartbeatLog: true, logger: verbose.logger }),
    );
    await silent.start();
    await logging.start();
    try {
      await waitFor(() => renewals(verbose.lines).length >= 2, 'two renewals logged');
      expect(renewals(verbose.lines)[0]).toMatchObject({ level: 20, lease: expect.any(String) });
      expect(renewals(quiet.lines)).toEqual([]);
    } finally {
      await logging.stop();
      await silent.stop();
    }
  });

  it('gives up a lease grant etcd does not answer within grantlease.timeout, and retries as configured', async () => {
    const { logger, lines } = captureLogger('warn');
    const discovery = new EtcdServiceDiscovery(
      options(room, { grantTimeoutMs: 300, grantRetries: 1, grantRetryIntervalMs: 50, logger }),
    );
    // a hung etcd: connections are accepted, nothing is answered
    process.kill(etcd.pid!, 'SIGSTOP');
    try {
      await expect(discovery.start()).rejects.toThrow();
      const retries = lines.filter((line) => line.msg === 'cannot register in etcd, retrying');
      expect(retries).toHaveLength(1);
      expect(retries[0]).toMatchObject({ err: { message: expect.stringMatching(/deadline exceeded/i) } });
    } finally {
      process.kill(etcd.pid!, 'SIGCONT');
      await discovery.stop();
    }
  });

  it('drops a server whose process died once its lease expires', async () => {
    const watcher = new EtcdServiceDiscovery(options({ ...room, id: 'watcher' }));
    await watcher.start();
    // a server that never stops: its lease of 2 s ends without keep-alives
    const lease = client.lease(2, { autoKeepAlive: false });
    await lease
      .put(`${prefix}servers/room/crashed`)
      .value(JSON.stringify({ id: 'crashed', type: 'room', frontend: false, hostname: 'x', metadata: {} }));
    await waitFor(() => watcher.getServer('crashed') !== undefined);
    await waitFor(() => watcher.getServer('crashed') === undefined);
    await watcher.stop();
  });

  it('registers again when its lease is lost, and keeps serving', async () => {
    const discovery = new EtcdServiceDiscovery(options(room, { leaseTtlSec: 2 }));
    await discovery.start();
    const key = `${prefix}servers/room/room-9`;
    const { lease } = (await client.get(key).exec()).kvs[0]!;
    await client.leaseClient.leaseRevoke({ ID: lease });
    expect(await client.get(key).string()).toBeNull();
    await waitFor(async () => (await client.get(key).string()) !== null);
    const again = (await client.get(key).exec()).kvs[0]!.lease;
    expect(again).not.toEqual(lease);
    await waitFor(() => discovery.getServer('room-9') !== undefined);
    await discovery.stop();
  });

  it('registers again after etcd restarts empty, and sees the others again', async () => {
    // etcd's lease is declared lost 2 TTLs into the outage: the retries must outlast a restart of
    // etcd on a loaded machine, plus the 5 s the etcd client refuses calls after failures
    const patient = { leaseTtlSec: 2, syncIntervalMs: 500, grantRetries: 100, grantRetryIntervalMs: 200 };
    const discovery = new EtcdServiceDiscovery(options(room, patient));
    const other = new EtcdServiceDiscovery(options({ ...room, id: 'room-10' }, patient));
    const fatal: Error[] = [];
    for (const server of [discovery, other]) server.addListener({ fatal: (err) => fatal.push(err) });
    await discovery.start();
    await other.start();
    await etcd.wipe();
    const fresh = new Etcd3({ hosts: `http://${etcd.endpoint}` });
    const registered = (id: string) => async () =>
      fatal.length > 0 || (await fresh.get(`${prefix}servers/room/${id}`).string()) !== null;
    try {
      await waitFor(registered('room-9'), 30_000, 'room-9 to register again');
      await waitFor(registered('room-10'), 30_000, 'room-10 to register again');
      expect(fatal).toEqual([]);
      await waitFor(() => discovery.getServer('room-10') !== undefined, 'room-9 to see room-10 again');
    } finally {
      fresh.close();
      await discovery.stop();
      await other.stop();
    }
  }, 60_000);

  it('shuts the server down after the bounded retries when it cannot register any more, leaving nothing running', async () => {
    const timers = recordTimers();
    const discovery = new EtcdServiceDiscovery(
      options(room, { leaseTtlSec: 2, grantRetries: 1, grantRetryIntervalMs: 100 }),
    );
    const fatal = new Promise<Error>((resolve) => discovery.addListener({ fatal: resolve }));
    await discovery.start();
    await etcd.stop();
    try {
      await expect(fatal).resolves.toBeInstanceOf(Error);
    } finally {
      await etcd.start();
      await discovery.stop().catch(() => undefined);
      timers.stop();
    }
    // the etcd client's retries after the outage end soon: they do not keep a stopped server's process up
    expect(timers.pending(1000)).toEqual([]);
  }, 30_000);
});

describe('etcd discovery: the periodic re-read', () => {
  let client: Etcd3;

  beforeAll(() => {
    client = new Etcd3({ hosts: `http://${etcd.endpoint}` });
  });

  afterAll(() => client.close());
  afterEach(() => jest.restoreAllMocks());

  it.each([1, 3])(
    'fetches the servers the watch missed, %i at a time (syncservers.parallelism)',
    async (parallelism) => {
      // the watch starts far past the first read: servers that register later are for the re-read to find
      // eslint-disable-next-line @typescript-eslint/unbound-method -- called with .call(this)
      const read = MultiRangeBuilder.prototype.exec;
      jest.spyOn(MultiRangeBuilder.prototype, 'exec').mockImplementationOnce(async function (this: MultiRangeBuilder) {
        const answer = await read.call(this);
        return {
          ...answer,
          header: { ...answer.header, revision: String(Number(answer.header.revision) + 1_000_000) },
        };
      });
      let fetching = 0;
      let mostAtOnce = 0;
      // eslint-disable-next-line @typescript-eslint/unbound-method -- called with .call(this)
      const fetch = SingleRangeBuilder.prototype.exec;
      jest.spyOn(SingleRangeBuilder.prototype, 'exec').mockImplementation(async function (this: SingleRangeBuilder) {
        mostAtOnce = Math.max(mostAtOnce, ++fetching);
        try {
          return await fetch.call(this);
        } finally {
          fetching--;
        }
      });
      const discovery = new EtcdServiceDiscovery(options(room, { syncIntervalMs: 100, syncParallelism: parallelism }));
      await discovery.start();
      const missed = ['m1', 'm2', 'm3', 'm4', 'm5'].map((id) => ({ ...room, id }));
      try {
        // in one transaction: a single re-read finds them all
        const key = (id: string) => `${prefix}servers/room/${id}`;
        await client
          .if(key('m1'), 'Create', '==', 0)
          .then(...missed.map((server) => client.put(key(server.id)).value(JSON.stringify(server))))
          .commit();
        await waitFor(
          () => missed.every((server) => discovery.getServer(server.id) !== undefined),
          'the missed servers',
        );
        expect(discovery.getServer('m3')).toEqual(missed[2]);
        expect(mostAtOnce).toBe(parallelism);
      } finally {
        await discovery.stop();
      }
    },
  );
});
