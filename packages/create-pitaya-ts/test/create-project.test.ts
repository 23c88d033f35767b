import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { ask, createProject } from '../src';

const version = (JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string })
  .version;
const main = path.join(__dirname, '..', 'dist', 'main.js');
let tmp: string;

beforeEach(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'create-pitaya-ts-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

describe('createProject', () => {
  it.each(['standalone', 'cluster'] as const)('writes the %s template under the folder name', async (template) => {
    const lines: string[] = [];
    await createProject({ directory: path.join(tmp, 'my-game'), template, install: false, log: (l) => lines.push(l) });

    const project = path.join(tmp, 'my-game');
    const pkg = JSON.parse(readFileSync(path.join(project, 'package.json'), 'utf8')) as {
      name: string;
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(pkg.name).toBe('my-game');
    // the packages of the generator's own version
    expect(pkg.dependencies['@pitaya-ts/core']).toBe(`^${version}`);
    expect(pkg.devDependencies['@pitaya-ts/testing']).toBe(`^${version}`);
    const files = readdirSync(project);
    expect(files).toEqual(expect.arrayContaining(['.gitignore', '.dockerignore', 'Dockerfile', 'tsconfig.json']));
    expect(files.filter((f) => f.startsWith('_'))).toEqual([]);
    expect(readFileSync(path.join(project, 'README.md'), 'utf8')).toMatch(/^# my-game\n/);
    // nothing installed: the next steps say to
    expect(lines.join('\n')).toContain('npm install\n  npm run dev');
  });

  it('refuses a folder that is not empty, and writes nothing in it', async () => {
    writeFileSync(path.join(tmp, 'notes.txt'), 'mine');
    await expect(
      createProject({ directory: tmp, template: 'standalone', install: false, log: () => {} }),
    ).rejects.toThrow('is not empty');
    expect(readdirSync(tmp)).toEqual(['notes.txt']);
  });

  it('refuses a folder name npm cannot take as a package name', async () => {
    await expect(
      createProject({ directory: path.join(tmp, 'My Game'), template: 'standalone', install: false, log: () => {} }),
    ).rejects.toThrow('cannot name an npm package');
    expect(existsSync(path.join(tmp, 'My Game'))).toBe(false);
  });
});

describe('on a terminal', () => {
  it('asks for what the command line left out: the name, then the template', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    const questions: string[] = [];
    output.on('data', (chunk: Buffer) => {
      questions.push(chunk.toString());
      // answer each question once it is asked
      input.write(questions.length === 1 ? 'arena\n' : '2\n');
    });
    await expect(ask({}, input, output)).resolves.toEqual({ directory: 'arena', template: 'cluster' });
    expect(questions.join('')).toMatch(/Project name[\s\S]*Template, 1\) standalone 2\) cluster/);
  });

  it('asks nothing that was given', async () => {
    const output = new PassThrough();
    let asked = '';
    output.on('data', (chunk: Buffer) => (asked += chunk.toString()));
    await expect(ask({ directory: 'arena', template: 'standalone' }, new PassThrough(), output)).resolves.toEqual({
      directory: 'arena',
      template: 'standalone',
    });
    expect(asked).toBe('');
  });
});

describe('the command, without a terminal', () => {
  const run = promisify(execFile);

  it('takes the folder and --template from its arguments, and prints the next steps', async () => {
    const { stdout } = await run(process.execPath, [main, 'arena', '--template', 'cluster', '--no-install'], {
      cwd: tmp,
    });
    expect(stdout).toContain('Next steps:\n  cd arena\n  npm install');
    expect(readFileSync(path.join(tmp, 'arena', 'compose.yml'), 'utf8')).toContain('nats');
  });

  it('says what to give when the folder is missing, and fails', async () => {
    await expect(run(process.execPath, [main, '--no-install'], { cwd: tmp })).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('give the project a folder: npm create pitaya-ts@latest my-game'),
    });
  });

  it('refuses an unknown template, naming those there are', async () => {
    await expect(run(process.execPath, [main, 'arena', '--template', 'mmo'], { cwd: tmp })).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('Allowed choices are standalone, cluster'),
    });
  });
});
