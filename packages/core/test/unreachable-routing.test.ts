import 'reflect-metadata';
import { type ServerInfo } from '@pitaya-ts/core';
import { DefaultRouter, StandaloneServiceDiscovery, UnreachableServers } from '@pitaya-ts/core/provider';

const server = (id: string): ServerInfo => ({ id, type: 'room', frontend: false, hostname: 'h', metadata: {} });
const servers = [server('a'), server('b'), server('c')];
const discovery = new StandaloneServiceDiscovery(servers[0]!);
discovery.getServersByType = () => servers;

/** The servers a router picks among, over many random picks. */
async function picks(router: DefaultRouter, exclude?: Set<string>): Promise<string[]> {
  const seen = new Set<string>();
  for (let i = 0; i < 60; i++)
    seen.add((await router.route('room', 'room.r.m', undefined, new Uint8Array(), exclude)).id);
  return [...seen].sort();
}

describe('routing around servers found unreachable', () => {
  let now = 0;
  const unreachable = new UnreachableServers(2000, () => now);
  const router = new DefaultRouter(discovery, unreachable);

  beforeEach(() => {
    now = 0;
    for (const s of servers) unreachable.removed(s);
  });

  it('leaves them out until the hold has passed', async () => {
    unreachable.mark('a');
    await expect(picks(router)).resolves.toEqual(['b', 'c']);
    now = 1999;
    await expect(picks(router)).resolves.toEqual(['b', 'c']);
    now = 2000;
    await expect(picks(router)).resolves.toEqual(['a', 'b', 'c']);
  });

  it('takes them back as soon as discovery adds or updates them', async () => {
    unreachable.mark('a');
    unreachable.mark('b');
    unreachable.updated(server('a'));
    unreachable.added(server('b'));
    await expect(picks(router)).resolves.toEqual(['a', 'b', 'c']);
  });

  it('tries them when no other server of the type is left, but never one this message found unreachable', async () => {
    for (const s of servers) unreachable.mark(s.id);
    await expect(picks(router)).resolves.toEqual(['a', 'b', 'c']);
    await expect(picks(router, new Set(['a']))).resolves.toEqual(['b', 'c']);
  });

  it('gives custom routing functions only the servers left', async () => {
    const custom = new DefaultRouter(discovery, unreachable);
    const offered: string[][] = [];
    custom.addRoute('room', ({ servers: candidates }) => {
      offered.push(candidates.map((s) => s.id));
      return candidates[0]!;
    });
    unreachable.mark('b');
    await custom.route('room', 'room.r.m', undefined, new Uint8Array());
    expect(offered).toEqual([['a', 'c']]);
  });
});
