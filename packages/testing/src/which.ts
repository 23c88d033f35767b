import { existsSync } from 'node:fs';

const SEARCH_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** Absolute path of a program (also looked for in the sbin folders, where Debian puts servers). */
export function which(command: string, debianPackage: string): string {
  const dirs = [...(process.env.PATH ?? '').split(':').filter(Boolean), ...SEARCH_PATH];
  const found = dirs.map((dir) => `${dir}/${command}`).find((file) => existsSync(file));
  if (!found) {
    throw new Error(`${command} is not installed: sudo apt-get install -y --no-install-recommends ${debianPackage}`);
  }
  return found;
}
