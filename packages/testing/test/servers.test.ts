import * as net from 'node:net';
import {
  freePort,
  RedisServer,
  startEtcdServer,
  startNatsServer,
  startOnFreePorts,
  startRedisServer,
  waitFor,
} from '@pitaya-ts/testing';

/** etcd's JSON gateway (v3): enough to put and read a key without a client library. */
async function etcdCall(port: number, api: string, body: object): Promise<Record<string, unknown>> {
  const res = await fetch(`http://127.0.0.1:${port}/v3/kv/${api}`, { method: 'POST', body: JSON.stringify(body) });
  return (await res.json()) as Record<string, unknown>;
}
const b64 = (text: string) => Buffer.from(text).toString('base64');

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('real servers for tests', () => {
  it('starts nats-server on a free loopback port, stops and restarts it on the same port', async () => {
    const nats = await startNatsServer();
    expect(nats.url).toMatch(/^nats:\/\/127\.0\.0\.1:\d+$/);
    expect(await connects(nats.port)).toBe(true);
    await nats.stop();
    expect(await connects(nats.port)).toBe(false);
    await nats.start();
    expect(await connects(nats.port)).toBe(true);
    await nats.stop();
  });

  it('starts etcd and keeps its data across a restart', async () => {
    const etcd = await startEtcdServer();
    expect(etcd.endpoint).toBe(`127.0.0.1:${etcd.clientPort}`);
    await etcdCall(etcd.clientPort, 'put', { key: b64('k'), value: b64('v') });
    await etcd.restart();
    const { kvs } = (await etcdCall(etcd.clientPort, 'range', { key: b64('k') })) as { kvs: { value: string }[] };
    expect(Buffer.from(kvs[0]!.value, 'base64').toString()).toBe('v');
    await etcd.destroy();
    expect(await connects(etcd.clientPort)).toBe(false);
  });

  it('starts redis-server', async () => {
    const redis = await startRedisServer();
    expect(await connects(redis.port)).toBe(true);
    await redis.stop();
  });

  it('starts on fresh ports when another process took the port found free', async () => {
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const taken = (squatter.address() as net.AddressInfo).port;
    const ports = [taken];
    try {
      const redis = await startOnFreePorts(async () => new RedisServer(ports.shift() ?? (await freePort())));
      expect(redis.port).not.toBe(taken);
      expect(await connects(redis.port)).toBe(true);
      await redis.stop();
    } finally {
      squatter.close();
    }
  });
});

describe('waitFor', () => {
  it('resolves once the condition holds, sync or async', async () => {
    let polls = 0;
    await waitFor(() => ++polls === 3);
    await waitFor(async () => ++polls === 5);
    await waitFor(() => ++polls === 7, 'seven polls');
    expect(polls).toBe(7);
  });

  it('rejects naming what it waited for', async () => {
    await expect(waitFor(() => false, 30, 'the moon')).rejects.toThrow('waiting for the moon');
  });
});
