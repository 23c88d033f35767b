import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { connect } from '@pitaya-ts/client';

// `npm run bench` is plain JavaScript against the built packages: nothing type-checks it, so a
// change to core's API shows up here first (its servers boot and echo) rather than mid-benchmark
const root = join(__dirname, '../..');

/** Asks a bench child (bench/ipc.mjs's `serve`) for `cmd` over its IPC channel. */
async function call(child: ChildProcess, cmd: string): Promise<unknown> {
  child.send({ id: 1, cmd, args: {} });
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`the server exited (${String(code)}) before answering ${cmd}`);
  });
  const [reply] = (await Promise.race([once(child, 'message'), exited])) as [{ result?: unknown; error?: string }];
  if (reply.error) throw new Error(reply.error);
  return reply.result;
}

describe('the bench servers', () => {
  it.each(['pitaya', 'bare'])('the %s echo server boots and echoes on connector.entryHandler.echo', async (kind) => {
    const child = fork(join(root, 'bench/server.mjs'), [kind], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    try {
      const port = await call(child, 'port');
      expect(typeof port).toBe('number');
      const client = await connect(`ws://127.0.0.1:${String(port)}`);
      try {
        await expect(client.request('connector.entryHandler.echo', { hello: kind })).resolves.toEqual({ hello: kind });
      } finally {
        await client.close();
      }
    } finally {
      child.kill();
    }
  });
});
