import type { ServerInfo, ServiceDiscovery } from '@pitaya-ts/core';
import { waitFor } from '@pitaya-ts/testing';

export interface DiscoveryHarness {
  /** A discovery for one server, not started. */
  create(self: ServerInfo, options?: { blacklist?: string[] }): ServiceDiscovery;
  /** Publishes new metadata for a started discovery's own server, when the provider can. */
  updateMetadata?: (discovery: ServiceDiscovery, metadata: Record<string, string>) => Promise<void>;
}

const server = (type: string, id: string, frontend = false): ServerInfo => ({
  id,
  type,
  frontend,
  hostname: 'test-host',
  metadata: { region: 'r1' },
});

/** What every ServiceDiscovery must do: the in-memory one and the etcd one run it alike. */
export function discoveryContract(name: string, harness: () => DiscoveryHarness) {
  describe(`ServiceDiscovery contract: ${name}`, () => {
    const started: ServiceDiscovery[] = [];
    const start = async (self: ServerInfo, options?: { blacklist?: string[] }) => {
      const discovery = harness().create(self, options);
      await discovery.start();
      started.push(discovery);
      return discovery;
    };

    afterEach(async () => {
      for (const discovery of started.splice(0)) await discovery.stop();
    });

    it('sees itself and the servers started before and after it, by id and by type', async () => {
      const a = await start(server('connector', 'c-1', true));
      const b = await start(server('room', 'r-1'));
      await waitFor(() => a.servers().length === 2 && b.servers().length === 2);
      expect(a.getServer('r-1')).toEqual(server('room', 'r-1'));
      expect(b.getServer('c-1')).toEqual(server('connector', 'c-1', true));
      expect(a.getServersByType('room').map((s) => s.id)).toEqual(['r-1']);
      expect(a.getServersByType('nothing')).toEqual([]);
    });

    it('tells its listeners of servers added and removed; a stopped server leaves at once', async () => {
      const a = await start(server('connector', 'c-2', true));
      const added: string[] = [];
      const removed: string[] = [];
      a.addListener({ added: (s) => added.push(s.id), removed: (s) => removed.push(s.id) });
      const b = harness().create(server('room', 'r-2'));
      await b.start();
      await waitFor(() => added.includes('r-2'));
      await b.stop();
      await waitFor(() => removed.includes('r-2'));
      expect(a.getServer('r-2')).toBeUndefined();
    });

    it('ignores blacklisted server types', async () => {
      const a = await start(server('connector', 'c-3', true), { blacklist: ['metagame'] });
      await start(server('metagame', 'm-1'));
      await start(server('room', 'r-3'));
      await waitFor(() => a.getServer('r-3') !== undefined);
      expect(a.getServersByType('metagame')).toEqual([]);
    });

    it('applies metadata updates of known servers, keeping the keys an update does not name', async () => {
      const h = harness();
      if (!h.updateMetadata) return expect(h.updateMetadata).toBeUndefined();
      const a = await start(server('connector', 'c-4', true));
      // published at start by the framework and its providers (pipelined forwards, a gRPC address)
      const b = await start({ ...server('room', 'r-4'), metadata: { region: 'r1', grpcPort: '3434' } });
      await waitFor(() => a.getServer('r-4') !== undefined);
      const updated: string[] = [];
      a.addListener({ updated: (s) => updated.push(s.metadata.region!) });
      await h.updateMetadata(b, { region: 'r2', zone: 'z1' });
      await waitFor(() => a.getServer('r-4')?.metadata.region === 'r2');
      expect(updated).toEqual(['r2']);
      expect(a.getServer('r-4')?.metadata).toEqual({ region: 'r2', grpcPort: '3434', zone: 'z1' });
    });
  });
}
