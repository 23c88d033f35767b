import { ErrorCode, PitayaError } from '../errors/pitaya-error';
import type { UserMessenger } from '../session/user-messenger';
import type { GroupService } from './group-service';

interface Group {
  members: Set<string>;
  /** ms; 0 = no expiry */
  ttl: number;
  lastChange: number;
}

/** Groups in this server's memory (Pitaya's memory group service), with TTLs cleaned up by a tick. */
export class MemoryGroupService implements GroupService {
  private readonly groups = new Map<string, Group>();
  private ticker: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly messenger: UserMessenger,
    private readonly tickMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async start(): Promise<void> {
    this.ticker = setInterval(() => this.deleteExpired(), this.tickMs);
    this.ticker.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.ticker);
  }

  /** Deletes the groups whose TTL passed since their last change; returns their names. */
  deleteExpired(): string[] {
    const now = this.now();
    const expired: string[] = [];
    for (const [name, group] of this.groups) {
      if (group.ttl > 0 && now - group.lastChange >= group.ttl) {
        this.groups.delete(name);
        expired.push(name);
      }
    }
    return expired;
  }

  private group(name: string): Group {
    const group = this.groups.get(name);
    if (!group) throw new PitayaError(ErrorCode.NotFound, `group not found: ${name}`, { group: name });
    return group;
  }

  private touch(group: Group): void {
    group.lastChange = this.now();
  }

  async create(name: string, ttl = 0): Promise<void> {
    if (this.groups.has(name))
      throw new PitayaError(ErrorCode.BadRequest, `group already exists: ${name}`, { group: name });
    this.groups.set(name, { members: new Set(), ttl, lastChange: this.now() });
  }

  async addMember(name: string, uid: string): Promise<void> {
    const group = this.group(name);
    if (group.members.has(uid)) {
      throw new PitayaError(ErrorCode.BadRequest, `${uid} is already in group ${name}`, { group: name, uid });
    }
    group.members.add(uid);
    this.touch(group);
  }

  async removeMember(name: string, uid: string): Promise<void> {
    const group = this.group(name);
    if (!group.members.delete(uid)) {
      throw new PitayaError(ErrorCode.NotFound, `${uid} is not in group ${name}`, { group: name, uid });
    }
    this.touch(group);
  }

  async removeMemberFromAll(uid: string): Promise<void> {
    for (const group of this.groups.values()) if (group.members.delete(uid)) this.touch(group);
  }

  async contains(name: string, uid: string): Promise<boolean> {
    return this.group(name).members.has(uid);
  }

  async members(name: string): Promise<string[]> {
    return [...this.group(name).members];
  }

  async count(name: string): Promise<number> {
    return this.group(name).members.size;
  }

  async broadcast(name: string, route: string, body: unknown, options: { exclude?: string[] } = {}): Promise<string[]> {
    const exclude = new Set(options.exclude);
    const uids = [...this.group(name).members].filter((uid) => !exclude.has(uid));
    return this.messenger.pushToUsers(route, body, uids);
  }

  async delete(name: string): Promise<void> {
    this.group(name);
    this.groups.delete(name);
  }

  async exists(name: string): Promise<boolean> {
    return this.groups.has(name);
  }
}
