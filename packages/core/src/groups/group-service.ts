/** Named sets of users with broadcast (Pitaya's groups). */
export interface GroupService {
  /** Creates a group; with a TTL (ms) it is deleted once that long passes without a change. */
  create(name: string, ttl?: number): Promise<void>;
  addMember(name: string, uid: string): Promise<void>;
  removeMember(name: string, uid: string): Promise<void>;
  removeMemberFromAll(uid: string): Promise<void>;
  contains(name: string, uid: string): Promise<boolean>;
  members(name: string): Promise<string[]>;
  count(name: string): Promise<number>;
  /** Pushes to every member (except `exclude`); resolves with the uids that could not be reached. */
  broadcast(name: string, route: string, body: unknown, options?: { exclude?: string[] }): Promise<string[]>;
  delete(name: string): Promise<void>;
  exists(name: string): Promise<boolean>;
  start?(): Promise<void>;
  stop?(): Promise<void>;
}
