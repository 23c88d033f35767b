import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { connect } from '@pitaya-ts/client';
import { freePort, waitFor } from '@pitaya-ts/testing';

const root = join(__dirname, '..');
const snippets = join(root, 'docs', 'snippets');
const run = promisify(execFile);
// tsc compiles the snippets in a child process: slow on a loaded machine
const COMPILES = 180_000;

/** README's ```ts blocks, each with the file its marker names (`<!-- snippet: path -->`). */
async function readmeBlocks(): Promise<{ file: string | undefined; code: string }[]> {
  const readme = await readFile(join(root, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/^( *)(?:<!-- snippet: (\S+) -->\n\n?\1)?```ts\n([^]*?)^\1```/gm)];
  return blocks.map(([, indent, file, code]) => ({
    file,
    code: code!.replace(new RegExp(`^${indent}`, 'gm'), ''),
  }));
}

/** A file's part between `// #region readme` and `// #endregion`, or all of it. */
function readmePart(text: string): string {
  return /\/\/ #region readme\n([^]*?)\/\/ #endregion\n/.exec(text)?.[1] ?? text;
}

describe("README's code", () => {
  it('is the files of docs/snippets, which the type-check compiles', async () => {
    const blocks = await readmeBlocks();
    expect(blocks.length).toBeGreaterThanOrEqual(7);
    for (const { file, code } of blocks) {
      expect({ file, code }).toEqual({ file: expect.any(String), code });
      expect(code).toBe(readmePart(await readFile(join(root, file!), 'utf8')));
    }
    const readme = await readFile(join(root, 'README.md'), 'utf8');
    const tsconfig = /<!-- snippet: docs\/snippets\/tsconfig.json -->\n\n```json\n([^]*?)```/.exec(readme)?.[1];
    expect(tsconfig).toBe(await readFile(join(snippets, 'tsconfig.json'), 'utf8'));
  });

  describe('compiled as a CommonJS project with the tsconfig README gives', () => {
    let dir: string;
    const serverPorts = { ws: 0, tcp: 0 };

    // README's ports become free ones, so the snippets run beside other tests; then tsc compiles
    // them all, once
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'pitaya-ts-readme-'));
      await symlink(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
      await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'readme', private: true }));
      await writeFile(join(dir, 'tsconfig.json'), await readFile(join(snippets, 'tsconfig.json')));
      Object.assign(serverPorts, { ws: await freePort(), tcp: await freePort() });
      const ports: Record<string, Record<string, number>> = {
        'server.ts': { 3250: serverPorts.ws, 3251: serverPorts.tcp },
        'client.ts': { 3250: serverPorts.ws },
      };
      for (const file of (await readdir(snippets)).filter((name) => name.endsWith('.ts'))) {
        let code = await readFile(join(snippets, file), 'utf8');
        for (const [from, to] of Object.entries(ports[file] ?? {})) code = code.replaceAll(from, String(to));
        await writeFile(join(dir, file), code);
      }
      await run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', dir]);
    }, COMPILES);
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it("serves: the server validates, answers README's client, and stops on SIGTERM", async () => {
      const server = spawn(process.execPath, [join(dir, 'dist', 'server.js')], {
        cwd: dir,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let log = '';
      server.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
      try {
        await waitFor(() => log.includes('server started'), 60_000, 'the server to start');
        const client = await connect(`ws://127.0.0.1:${serverPorts.ws}`);
        await expect(client.request('chat.room.join', { name: 'bo' })).resolves.toEqual({ members: ['bo'] });
        await expect(client.request('chat.room.join', { name: '' })).rejects.toMatchObject({ code: 'PIT-400' });

        // the client snippet joins as ana (the demo's chat.room.send is not a route of this server)
        const { stdout } = await run(process.execPath, [join(dir, 'dist', 'client.js')], { cwd: dir });
        expect(stdout).toContain('closed: closed by client { reconnecting: false }');
        expect(stdout).not.toContain('PIT-');
        await client.close();
        server.kill('SIGTERM');
        expect(await once(server, 'exit')).toEqual([0, null]);
      } finally {
        server.kill('SIGKILL');
      }
    }, 120_000);

    it('decodes: the protocol example prints the request it encoded', async () => {
      const { stdout } = await run(process.execPath, [join(dir, 'dist', 'protocol.js')], { cwd: dir });
      expect(stdout).toContain("route: 'room.room.join'");
    }, 60_000);
  });
});
