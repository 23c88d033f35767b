import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = join(__dirname, '..', '..', '..');
const packages = ['protocol', 'client', 'core', 'testing'];

/** npm run from a folder outside the workspace, without what `npm test` put in the environment about this one. */
function npm(args: string[], cwd: string) {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !/^npm_(package_|lifecycle_|config_(local_prefix|workspaces?)$)/.test(key),
    ),
  );
  return run('npm', args, { cwd, env, maxBuffer: 1 << 24 });
}

// A project as a new user makes it: the packages installed from their tarballs (npm pack of the
// built packages), Jest configured by the preset alone, a handler with a DTO tested through createTestApp
describe('the Jest preset, in a project outside the workspace', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pitaya-ts-preset-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('runs a TypeScript test of a server with nothing but preset: @pitaya-ts/testing', async () => {
    const packs = join(dir, 'packs');
    const project = join(dir, 'project');
    await mkdir(packs);
    await mkdir(project);
    for (const name of packages) {
      await npm(['pack', '--silent', '-w', `packages/${name}`, '--pack-destination', packs], root);
    }
    const tarball = (name: string) => `file:../packs/pitaya-ts-${name}-0.1.0.tgz`;
    await writeFile(
      join(project, 'package.json'),
      JSON.stringify({
        name: 'first-game',
        private: true,
        jest: { preset: '@pitaya-ts/testing' },
        dependencies: {
          '@pitaya-ts/protocol': tarball('protocol'),
          '@pitaya-ts/client': tarball('client'),
          '@pitaya-ts/core': tarball('core'),
          'class-validator': '0.15.1',
        },
        devDependencies: { '@pitaya-ts/testing': tarball('testing'), jest: '30.5.2' },
      }),
    );
    await copyFile(join(__dirname, 'fixtures', 'first-project', 'room.spec.ts'), join(project, 'room.test.ts'));
    await npm(['install', '--prefer-offline', '--no-audit', '--no-fund'], project);

    const jest = join(project, 'node_modules', 'jest', 'bin', 'jest.js');
    const { stderr } = await run(process.execPath, [jest, '--ci'], { cwd: project, env: { ...process.env, CI: '1' } });
    expect(stderr).toContain('validates the body with the type TypeScript recorded');
    expect(stderr).toMatch(/Tests:\s+1 passed, 1 total/);
  }, 600_000);
});
