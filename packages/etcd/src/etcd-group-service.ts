import type { Etcd3, Namespace } from 'etcd3';
import { ErrorCode, PitayaError, type GroupService, type UserMessenger } from '@pitaya-ts/core';
import { etcdClient } from './etcd-client';

export interface EtcdGroupServiceOptions {
  endpoints: string[];
  /** Pitaya's `pitaya/`: servers share the groups under the same one. */
  prefix: string;
  dialTimeoutMs: number;
  /** Deadline of each etcd request, ms. */
  transactionTimeoutMs: number;
  messenger: UserMessenger;
}

const notFound = (name: string) => new PitayaError(ErrorCode.NotFound, `group not found: ${name}`, { group: name });

/** Group names and uids are parts of keys: a `/` would make one group look like another's member. */
function checkName(what: string, value: string): void {
  if (!value || value.includes('/'))
    throw new PitayaError(ErrorCode.BadRequest, `invalid ${what} "${value}": not empty, no "/"`, { [what]: value });
}

/**
 * Pitaya's etcd group service: `<prefix>groups/<name>` (empty value, created only if absent; under
 * a lease when the group has a TTL) and `<prefix>groups/<name>/uids/<uid>` per member (under the
 * group's lease). Every server sees the same groups; a broadcast reaches the members wherever they
 * are connected. A TTL counts from the creation (an etcd lease), not from the last change.
 */
export class EtcdGroupService implements GroupService {
  private client: Etcd3 | undefined;
  private groupsKv: Namespace | undefined;

  constructor(private readonly options: EtcdGroupServiceOptions) {}

  /** Connects now; otherwise the first operation does (components may create groups in their init). */
  async start(): Promise<void> {
    this.groups();
  }

  async stop(): Promise<void> {
    this.client?.close();
    this.client = undefined;
    this.groupsKv = undefined;
  }

  /** The groups' keys, on a client opened at the first use. */
  private groups(): Namespace {
    if (!this.groupsKv) {
      const { endpoints, dialTimeoutMs, transactionTimeoutMs, prefix } = this.options;
      this.client = etcdClient({ endpoints, dialTimeoutMs, requestTimeoutMs: transactionTimeoutMs });
      this.groupsKv = this.client.namespace(`${prefix}groups/`);
    }
    return this.groupsKv;
  }

  private memberPrefix(name: string): string {
    return `${name}/uids/`;
  }

  /** The lease of an existing group ('0' without TTL); PIT-404 when it does not exist. */
  private async leaseOf(name: string): Promise<string> {
    const [group] = (await this.groups().get(name).exec()).kvs;
    if (!group) throw notFound(name);
    return group.lease;
  }

  async create(name: string, ttl = 0): Promise<void> {
    checkName('group', name);
    const kv = this.groups();
    const put = kv.put(name).value('');
    if (ttl > 0) {
      // etcd counts leases in whole seconds
      put.lease(await kv.lease(Math.ceil(ttl / 1000), { autoKeepAlive: false }).grant());
    }
    const { succeeded } = await kv.if(name, 'Create', '==', 0).then(put).commit();
    if (!succeeded) throw new PitayaError(ErrorCode.BadRequest, `group already exists: ${name}`, { group: name });
  }

  async addMember(name: string, uid: string): Promise<void> {
    checkName('uid', uid);
    const lease = await this.leaseOf(name);
    const key = this.memberPrefix(name) + uid;
    const kv = this.groups();
    const put = kv.put(key).value('');
    if (lease !== '0') put.lease(lease);
    const { succeeded } = await kv.if(key, 'Create', '==', 0).then(put).commit();
    if (!succeeded)
      throw new PitayaError(ErrorCode.BadRequest, `${uid} is already in group ${name}`, { group: name, uid });
  }

  async removeMember(name: string, uid: string): Promise<void> {
    await this.leaseOf(name);
    const key = this.memberPrefix(name) + uid;
    const kv = this.groups();
    const { succeeded } = await kv.if(key, 'Create', '>', 0).then(kv.delete().key(key)).commit();
    if (!succeeded) throw new PitayaError(ErrorCode.NotFound, `${uid} is not in group ${name}`, { group: name, uid });
  }

  async removeMemberFromAll(uid: string): Promise<void> {
    const suffix = `/uids/${uid}`;
    const kv = this.groups();
    const keys = await kv.getAll().keys();
    await Promise.all(keys.filter((key) => key.endsWith(suffix)).map((key) => kv.delete().key(key)));
  }

  async contains(name: string, uid: string): Promise<boolean> {
    await this.leaseOf(name);
    return this.groups()
      .get(this.memberPrefix(name) + uid)
      .exists();
  }

  /** A keys-only prefix read, as Pitaya's. */
  async members(name: string): Promise<string[]> {
    await this.leaseOf(name);
    const prefix = this.memberPrefix(name);
    return (await this.groups().getAll().prefix(prefix).keys()).map((key) => key.slice(prefix.length));
  }

  async count(name: string): Promise<number> {
    await this.leaseOf(name);
    return this.groups().getAll().prefix(this.memberPrefix(name)).count();
  }

  async broadcast(name: string, route: string, body: unknown, options: { exclude?: string[] } = {}): Promise<string[]> {
    const exclude = new Set(options.exclude);
    const uids = (await this.members(name)).filter((uid) => !exclude.has(uid));
    return this.options.messenger.pushToUsers(route, body, uids);
  }

  async delete(name: string): Promise<void> {
    const kv = this.groups();
    const { succeeded } = await kv
      .if(name, 'Create', '>', 0)
      .then(kv.delete().prefix(this.memberPrefix(name)), kv.delete().key(name))
      .commit();
    if (!succeeded) throw notFound(name);
  }

  async exists(name: string): Promise<boolean> {
    return this.groups().get(name).exists();
  }
}
