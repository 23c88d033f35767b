import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import type { Redis } from 'ioredis';
import type { PitayaApp } from '@pitaya-ts/core';
import { startRedisServer, type RedisServer } from '@pitaya-ts/testing';
import { reliableRpc } from '@pitaya-ts/worker';
import { freshNamespace, inspect, startWorkerServer, waitFor } from './helpers';

const FIXTURE = path.join(__dirname, 'fixtures', 'worker-process.mjs');

function startWorkerProcess(redis: RedisServer, ns: string): ChildProcess {
  return spawn(process.execPath, [FIXTURE, String(redis.port), ns], { stdio: ['ignore', 'ignore', 'inherit'] });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve()),
  );
}

describe('a worker killed mid-job', () => {
  let redis: RedisServer;
  let db: Redis;
  let producer: PitayaApp;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    db = inspect(redis);
  });

  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await Promise.all(children.map(exited));
    await producer?.stop();
    db?.disconnect();
    await redis?.stop();
  });

  it('runs the job again when it restarts: its in-progress list is re-run first', async () => {
    const ns = freshNamespace();
    // a server that only enqueues
    producer = await startWorkerServer({ redis, namespace: ns, runJobs: false });
    await db.set(`${ns}:hold`, '1');
    await reliableRpc(producer, 'wt.crash.slow', { badge: 'gold' });

    const first = startWorkerProcess(redis, ns);
    children.push(first);
    await waitFor(async () => (await db.get(`${ns}:runs`)) === '1', 20_000, 'the job to start');
    first.kill('SIGKILL');
    await exited(first);

    // the job is neither done nor lost: it waits in the killed server's in-progress list
    const inProgress = `${ns}:queue:rpc:${ns}-host:inprogress`;
    expect(await db.llen(inProgress)).toBe(1);
    expect(await db.llen(`${ns}:queue:rpc`)).toBe(0);
    expect(await db.llen(`${ns}:done`)).toBe(0);

    await db.del(`${ns}:hold`);
    const second = startWorkerProcess(redis, ns);
    children.push(second);
    await waitFor(async () => (await db.llen(`${ns}:done`)) === 1, 20_000, 'the job to run again');
    expect(await db.get(`${ns}:runs`)).toBe('2');
    expect(JSON.parse((await db.lindex(`${ns}:done`, 0))!)).toEqual({ badge: 'gold' });
    await waitFor(async () => (await db.llen(inProgress)) === 0, 'the job to be acknowledged');
  }, 60_000);
});
