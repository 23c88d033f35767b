import type { ServerInfo, ServiceDiscoveryListener } from './service-discovery';

/**
 * Servers an RPC found nobody serving (NATS's "no responders") while discovery still lists them:
 * a process killed without deregistering stays listed until its lease expires. Routing leaves
 * them out until discovery adds or updates them again, or until `holdMs` has passed: then one
 * message tries again, as a server whose connection to the bus dropped for a moment is back.
 */
export class UnreachableServers implements ServiceDiscoveryListener {
  /** Server id → until when (ms) it is left out. */
  private readonly until = new Map<string, number>();

  constructor(
    private readonly holdMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Servers marked, some perhaps no longer held: 0 means routing needs no look here. */
  get size(): number {
    return this.until.size;
  }

  mark(id: string): void {
    this.until.set(id, this.now() + this.holdMs);
  }

  has(id: string): boolean {
    const until = this.until.get(id);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.until.delete(id);
    return false;
  }

  // discovery shows the server again (registered anew, new metadata), or forgets it
  added(server: ServerInfo): void {
    this.until.delete(server.id);
  }

  updated(server: ServerInfo): void {
    this.until.delete(server.id);
  }

  removed(server: ServerInfo): void {
    this.until.delete(server.id);
  }
}
