import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

export const TEMPLATES = ['standalone', 'cluster'] as const;
export type Template = (typeof TEMPLATES)[number];

export interface CreateOptions {
  /** Where the project goes; its last part names the package. */
  directory: string;
  template: Template;
  /** Run `npm install` in it (default true). */
  install?: boolean;
  /** Where the progress and the next steps go (console.log by default). */
  log?: (line: string) => void;
}

/** A refusal the user can act on: printed without a stack. */
export class CreateError extends Error {}

const TEMPLATES_DIR = path.join(__dirname, '..', 'templates');
const VERSION = (JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string })
  .version;
// npm leaves .gitignore out of published packages and would read a template's package.json as a
// package of its own: the templates keep them under other names
const RENAMED: Record<string, string> = {
  _gitignore: '.gitignore',
  _dockerignore: '.dockerignore',
  '_package.json': 'package.json',
};
// npm's rules for a new package's name
const PACKAGE_NAME = /^(?:@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/;

/** Writes a new project from a template, then installs its dependencies unless told not to. */
export async function createProject(options: CreateOptions): Promise<void> {
  const log = options.log ?? console.log;
  if (!TEMPLATES.includes(options.template))
    throw new CreateError(`unknown template "${options.template}": ${TEMPLATES.join(' or ')}`);
  const target = path.resolve(options.directory);
  const name = path.basename(target);
  if (existsSync(target) && readdirSync(target).length > 0)
    throw new CreateError(`${target} is not empty: choose a new folder, or empty this one`);
  if (!PACKAGE_NAME.test(name) || name.length > 214)
    throw new CreateError(`"${name}" cannot name an npm package: lower-case letters, digits, - . _ ~ only`);

  log(`Creating a ${options.template} pitaya-ts project in ${target}`);
  copyTemplate(path.join(TEMPLATES_DIR, options.template), target, { name, version: VERSION });
  const install = options.install ?? true;
  if (install) {
    log('Installing its dependencies with npm...');
    await npmInstall(target);
  }
  const cd = path.relative(process.cwd(), target) || '.';
  log('');
  log(`Done. Next steps:`);
  log(`  cd ${cd.includes(' ') ? JSON.stringify(cd) : cd}`);
  if (!install) log('  npm install');
  log(
    `  npm run dev     # ${options.template === 'cluster' ? 'a connector and a room server' : 'the server'}, restarted on change`,
  );
  log('  npm test');
  log('See README.md in the project for the rest.');
}

function copyTemplate(from: string, to: string, values: Record<string, string>): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const destination = path.join(to, RENAMED[entry.name] ?? entry.name);
    if (entry.isDirectory()) copyTemplate(source, destination, values);
    else writeFileSync(destination, fill(readFileSync(source, 'utf8'), values));
  }
}

/** `{{name}}` and `{{version}}` (the generator's, which is the packages' version) in a template. */
function fill(text: string, values: Record<string, string>): string {
  return text.replace(/\{\{(\w+)\}\}/g, (match, key: string) => values[key] ?? match);
}

function npmInstall(cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // npm is a .cmd script on Windows, which only a shell runs
    const child = spawn('npm', ['install'], { cwd, stdio: 'inherit', shell: process.platform === 'win32' });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new CreateError(`npm install failed (exit code ${code}) in ${cwd}`)),
    );
  });
}
