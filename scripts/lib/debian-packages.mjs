// Makes sure the Debian packages the tests run (servers, a browser) are installed: installs the
// missing ones through apt-get when this user can, otherwise stops with the command to run.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const SEARCH_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** Absolute path of a command, or undefined. */
export function which(command) {
  const dirs = [...(process.env.PATH ?? '').split(':').filter(Boolean), ...SEARCH_PATH];
  return dirs.map((dir) => `${dir}/${command}`).find((file) => existsSync(file));
}

function canRun(command, args) {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}

/**
 * @param {{ command: string, pkg: string }[]} needs a command and the Debian package that provides it
 * @returns {Record<string, string>} command → absolute path
 */
export function ensureDebianPackages(needs) {
  const missing = [...new Set(needs.filter(({ command }) => !which(command)).map(({ pkg }) => pkg))];
  if (missing.length > 0) {
    const asRoot = process.getuid?.() === 0;
    const prefix = asRoot ? [] : canRun('sudo', ['-n', 'true']) ? ['sudo', '-n'] : undefined;
    const hint = `sudo apt-get install -y --no-install-recommends ${missing.join(' ')}`;
    if (!prefix || !which('apt-get')) {
      throw new Error(`The tests need ${missing.join(', ')}, which are not installed. Install them with:\n  ${hint}`);
    }
    console.log(`Installing ${missing.join(', ')} with apt-get...`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const apt = (...args) => {
      const [cmd, ...rest] = [...prefix, 'apt-get', ...args];
      execFileSync(cmd, rest, { stdio: ['ignore', 'ignore', 'inherit'], env });
    };
    apt('update', '-qq');
    apt('install', '-y', '-qq', '--no-install-recommends', ...missing);
  }
  const paths = {};
  for (const { command, pkg } of needs) {
    const path = which(command);
    if (!path) throw new Error(`${command} is still missing after installing ${pkg}`);
    paths[command] = path;
  }
  return paths;
}
