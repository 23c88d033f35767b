import 'reflect-metadata';
import { PitayaError, type ServerInfo, type ServiceDiscovery } from '@pitaya-ts/core';
import { DefaultRouter, routeAndCall, StandaloneServiceDiscovery } from '@pitaya-ts/core/provider';

const server = (id: string): ServerInfo => ({ id, type: 'room', frontend: false, hostname: 'h', metadata: {} });

function discoveryOf(servers: ServerInfo[]): ServiceDiscovery {
  const d = new StandaloneServiceDiscovery(servers[0]!);
  d.getServersByType = (type) => servers.filter((s) => s.type === type);
  d.getServer = (id) => servers.find((s) => s.id === id);
  return d;
}

describe('routeAndCall', () => {
  const body = new Uint8Array();

  it('sends a message that found its server unreachable to another server of the type', async () => {
    const router = new DefaultRouter(discoveryOf([server('a'), server('b')]));
    router.addRoute('room', ({ servers }) => servers.find((s) => s.id === 'a') ?? servers[0]!);
    const tried: string[] = [];
    const answer = await routeAndCall(router, 'room', 'room.r.m', undefined, body, async (target) => {
      tried.push(target.id);
      if (target.id === 'a') throw PitayaError.unreachable('a');
      return `from ${target.id}`;
    });
    expect(answer).toBe('from b');
    expect(tried).toEqual(['a', 'b']);
  });

  it('keeps the unreachable error when no other server is left, and retries nothing else', async () => {
    const router = new DefaultRouter(discoveryOf([server('a')]));
    await expect(
      routeAndCall(router, 'room', 'room.r.m', undefined, body, async () => {
        throw PitayaError.unreachable('a');
      }),
    ).rejects.toMatchObject({ code: 'PIT-500', message: 'server a is unreachable', unreachable: true });

    let calls = 0;
    await expect(
      routeAndCall(
        new DefaultRouter(discoveryOf([server('a'), server('b')])),
        'room',
        'room.r.m',
        undefined,
        body,
        async () => {
          calls++;
          throw new PitayaError('PIT-555', 'handled, and refused');
        },
      ),
    ).rejects.toMatchObject({ code: 'PIT-555' });
    expect(calls).toBe(1);
  });
});
