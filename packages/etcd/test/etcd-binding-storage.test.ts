import { Etcd3 } from 'etcd3';
import { createLogger, type ServerInfo } from '@pitaya-ts/core';
import { EtcdBindingStorage } from '@pitaya-ts/etcd';
import { startEtcdServer, waitFor, type EtcdServer } from '@pitaya-ts/testing';

let etcd: EtcdServer;
let client: Etcd3;
const prefix = 'bindings-test/';
const logger = createLogger('silent');

beforeAll(async () => {
  etcd = await startEtcdServer();
  client = new Etcd3({ hosts: `http://${etcd.endpoint}` });
}, 30_000);

afterAll(async () => {
  client?.close();
  await etcd?.destroy();
});

const server = (id: string, frontend: boolean): ServerInfo => ({
  id,
  type: frontend ? 'connector' : 'room',
  frontend,
  hostname: 'h',
  metadata: {},
});

const started: EtcdBindingStorage[] = [];
afterEach(async () => {
  for (const storage of started.splice(0)) await storage.stop();
});

async function storage(self: ServerInfo, leaseTtlSec = 60, dialTimeoutMs = 5000): Promise<EtcdBindingStorage> {
  const bindings = new EtcdBindingStorage({
    endpoints: [etcd.endpoint],
    prefix,
    dialTimeoutMs,
    leaseTtlSec,
    retryIntervalMs: 100,
    self,
    logger,
  });
  await bindings.start();
  started.push(bindings);
  return bindings;
}

describe('binding storage on etcd, as Pitaya keeps it', () => {
  it("puts <prefix>bindings/<frontendType>/<uid> → the frontend's id under its lease; every server reads it", async () => {
    const frontend = await storage(server('connector-1', true), 30);
    const backend = await storage(server('room-1', false));
    await frontend.bind('ana');
    const key = `${prefix}bindings/connector/ana`;
    expect(await client.get(key).string()).toBe('connector-1');
    const { lease } = (await client.get(key).exec()).kvs[0]!;
    expect(Number((await client.leaseClient.leaseTimeToLive({ ID: lease })).grantedTTL)).toBe(30);
    await expect(backend.frontendOf('connector', 'ana')).resolves.toBe('connector-1');
    await expect(backend.frontendOf('connector', 'nobody')).resolves.toBeUndefined();
    await expect(backend.frontendOf('gate', 'ana')).resolves.toBeUndefined();
  });

  it('deletes a binding when the user leaves, but not one another frontend took over', async () => {
    const one = await storage(server('connector-1', true));
    const other = await storage(server('connector-2', true));
    await one.bind('bo');
    await one.unbind('bo');
    await expect(one.frontendOf('connector', 'bo')).resolves.toBeUndefined();

    await one.bind('cy');
    await other.bind('cy');
    await one.unbind('cy');
    await expect(one.frontendOf('connector', 'cy')).resolves.toBe('connector-2');
  });

  it('refuses, clearly, to bind a user on a backend: it holds no lease to bind under', async () => {
    const backend = await storage(server('room-2', false));
    await expect(backend.bind('al')).rejects.toThrow('room is not a frontend: it binds no users');
    expect(await client.get(`${prefix}bindings/room/al`).string()).toBeNull();
  });

  it("takes a stopped frontend's bindings with its lease", async () => {
    const frontend = await storage(server('connector-3', true));
    await frontend.bind('di');
    await frontend.stop();
    expect(await client.get(`${prefix}bindings/connector/di`).string()).toBeNull();
    // the sessions that close after the stop find nothing left to do
    await expect(frontend.unbind('di')).resolves.toBeUndefined();
    await expect(frontend.bind('late')).resolves.toBeUndefined();
  });

  it('writes the bindings made and left while etcd was out of reach once it is back, never over another frontend', async () => {
    // etcd's client gives up after its request timeout, short here: the binds fail one after the other
    const a = await storage(server('connector-5', true), 60, 1000);
    const b = await storage(server('connector-6', true), 60, 1000);
    const reader = await storage(server('room-5', false));
    await b.bind('both');
    await b.bind('moved');
    await etcd.stop();
    // each bind is refused, and written later: the storage writes them again in the order they failed
    await expect(a.bind('gone')).rejects.toThrow();
    await a.unbind('gone').catch(() => undefined); // the user left during the outage
    await expect(a.bind('both')).rejects.toThrow(); // bound on the other frontend too
    await expect(a.bind('fy')).rejects.toThrow();
    // a user who moves from the other frontend to this one: the other's unbind fails too
    await expect(a.bind('moved')).rejects.toThrow();
    await expect(b.unbind('moved')).rejects.toThrow();
    await etcd.start();
    const frontendOf = (uid: string) => reader.frontendOf('connector', uid).catch(() => 'unread');
    // the last of the round: once written, the uids before it were handled
    await waitFor(async () => (await frontendOf('fy')) === 'connector-5', 30_000, 'the binding made during the outage');
    expect(await frontendOf('gone')).toBeUndefined();
    // the other frontend's binding stays as it was written: not overwritten
    const [both] = (await client.get(`${prefix}bindings/connector/both`).exec()).kvs;
    expect(both?.value.toString()).toBe('connector-6');
    expect(both?.version).toBe('1');
    // the other frontend's stale binding is deleted, and this one's written in its place
    await waitFor(async () => (await frontendOf('moved')) === 'connector-5', 30_000, 'the moved user');
  }, 60_000);

  it('keeps the bindings across an etcd restart, and puts them back when etcd lost them', async () => {
    const frontend = await storage(server('connector-4', true), 3);
    const reader = await storage(server('room-4', false));
    await frontend.bind('ed');
    await etcd.stop();
    await etcd.start();
    await waitFor(
      async () => (await reader.frontendOf('connector', 'ed').catch(() => undefined)) === 'connector-4',
      20_000,
      'the binding after the restart',
    );

    // a new etcd, empty: the lease is lost, granted again, and the binding put back
    await etcd.wipe();
    await waitFor(
      async () => (await reader.frontendOf('connector', 'ed').catch(() => undefined)) === 'connector-4',
      20_000,
      'the binding put back',
    );
  }, 60_000);
});
