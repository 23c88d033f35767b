import type { Etcd3, Lease, Namespace } from 'etcd3';
import { type BindingStorage, type Logger, type ServerInfo } from '@pitaya-ts/core';
import { settlesWithin } from '@pitaya-ts/core/provider';
import { etcdClient } from './etcd-client';

export interface EtcdBindingStorageOptions {
  endpoints: string[];
  /** Pitaya's `pitaya/`: the cluster's servers share it. */
  prefix: string;
  dialTimeoutMs: number;
  /** TTL of the lease this frontend's bindings live under, s: how long they outlive it if it dies. */
  leaseTtlSec: number;
  /** A lease lost (etcd wiped or unreachable past the TTL) is granted again after this, ms. */
  retryIntervalMs?: number;
  self: ServerInfo;
  logger: Logger;
}

/** What a uid's binding waits for: to be put (bound here), or deleted (left here). */
type PendingWrite = 'put' | 'delete';

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());

/**
 * Pitaya's etcd binding storage: `<prefix>bindings/<frontendType>/<uid>` → the id of the frontend
 * holding the user, under a lease of that frontend kept alive. A frontend that dies takes its
 * bindings with it once the lease expires; a lease lost while the frontend lives (etcd wiped) is
 * granted again and the bindings it holds are put back; a binding made while etcd is out of reach
 * is put once it is back.
 */
export class EtcdBindingStorage implements BindingStorage {
  private client: Etcd3 | undefined;
  private kv: Namespace | undefined;
  private lease: Lease | undefined;
  private starting: Promise<void> | undefined;
  private stopped = false;
  /** Uids bound here: what is put back under a new lease. */
  private readonly held = new Set<string>();
  /** The last write of each uid in flight: a uid's writes reach etcd in the order they were made. */
  private readonly writing = new Map<string, Promise<void>>();
  /** Writes etcd did not take (out of reach), by uid: made again by one loop. */
  private readonly unwritten = new Map<string, PendingWrite>();
  private rewriting = false;
  private puttingBack = false;

  constructor(private readonly options: EtcdBindingStorageOptions) {}

  /** Connects once, whoever asks first (the RPC server and client share the storage). */
  start(): Promise<void> {
    this.starting ??= this.connect();
    return this.starting;
  }

  private async connect(): Promise<void> {
    const { endpoints, dialTimeoutMs, prefix } = this.options;
    this.client = etcdClient({ endpoints, dialTimeoutMs, requestTimeoutMs: dialTimeoutMs });
    this.kv = this.client.namespace(`${prefix}bindings/`);
    if (this.options.self.frontend) await this.grant();
  }

  /** The bindings' keys: opened by `start()`, which every read and write waits for first. */
  private bindings(): Namespace {
    if (!this.kv) throw new Error('the etcd binding storage is not started');
    return this.kv;
  }

  private async grant(): Promise<void> {
    const lease = this.bindings().lease(this.options.leaseTtlSec, { autoKeepAlive: true });
    await lease.grant();
    lease.on('lost', (err) => void this.leaseLost(lease, err));
    this.lease = lease;
  }

  private async leaseLost(lease: Lease, err: Error): Promise<void> {
    // a lost lease reports again at each write that fails on it: one put-back at a time
    if (this.stopped || lease !== this.lease || this.puttingBack) return;
    this.options.logger.warn({ err, bindings: this.held.size }, 'etcd lease of the bindings lost: putting them back');
    this.puttingBack = true;
    try {
      await this.putBack(lease);
    } finally {
      this.puttingBack = false;
    }
  }

  /** Grants a new lease and puts the bindings held back under it: until that succeeds or the storage stops. */
  private async putBack(lost: Lease): Promise<void> {
    const { logger, retryIntervalMs = 1000 } = this.options;
    while (!this.stopped) {
      try {
        // granted once: a write that fails after it is tried again under the same lease
        if (this.lease === lost) await this.grant();
        // in order with each uid's other writes, and not over another frontend's binding made since
        for (const uid of [...this.held]) await this.inOrder(uid, () => this.rewrite(uid));
        return;
      } catch (error) {
        logger.warn({ err: error }, 'cannot put the bindings back in etcd yet');
        await delay(retryIntervalMs);
      }
    }
  }

  private key(frontendType: string, uid: string): string {
    return `${frontendType}/${uid}`;
  }

  private async put(uid: string): Promise<void> {
    const { self } = this.options;
    // only a frontend holds a lease: the users it binds are its own
    if (!this.lease) throw new Error(`${self.type} is not a frontend: it binds no users`);
    await this.lease.put(this.key(self.type, uid)).value(self.id);
  }

  async frontendOf(frontendType: string, uid: string): Promise<string | undefined> {
    await this.start();
    return (await this.bindings().get(this.key(frontendType, uid)).string()) ?? undefined;
  }

  bind(uid: string): Promise<void> {
    return this.inOrder(uid, async () => {
      this.held.add(uid);
      try {
        await this.put(uid);
        this.unwritten.delete(uid);
      } catch (err) {
        // a backend is refused (it binds no users); a frontend's etcd is out of reach
        if (this.options.self.frontend) this.writeLater(uid, 'put');
        throw err;
      }
    });
  }

  unbind(uid: string): Promise<void> {
    return this.inOrder(uid, async () => {
      this.held.delete(uid);
      try {
        await this.deleteOwn(uid);
        this.unwritten.delete(uid);
      } catch (err) {
        // left standing, it would send the user's pushes here, and hold off the frontend it is on now
        this.writeLater(uid, 'delete');
        throw err;
      }
    });
  }

  /** Deletes the user's binding if it names this frontend: another that took the user over keeps its own. */
  private async deleteOwn(uid: string): Promise<void> {
    const { self } = this.options;
    const key = this.key(self.type, uid);
    const kv = this.bindings();
    await kv.if(key, 'Value', '==', self.id).then(kv.delete().key(key)).commit();
  }

  private writeLater(uid: string, write: PendingWrite): void {
    this.unwritten.set(uid, write);
    if (this.rewriting) return;
    this.rewriting = true;
    this.options.logger.warn({ uid, write }, 'etcd did not take a binding write: trying it again every retry interval');
    void this.rewriteUnwritten();
  }

  /** Writes what etcd did not take, a round per retry interval, until none is left or the storage stops. */
  private async rewriteUnwritten(): Promise<void> {
    const { retryIntervalMs = 1000 } = this.options;
    try {
      while (this.unwritten.size > 0 && !this.stopped) {
        await delay(retryIntervalMs);
        // one at a time, each in order with its uid's other writes: a round does not flood etcd
        for (const uid of [...this.unwritten.keys()]) {
          await this.inOrder(uid, () => this.retry(uid)).catch(() => undefined);
        }
      }
    } finally {
      // in the same turn as the last check: a write failing after it starts a loop of its own
      this.rewriting = false;
    }
  }

  /** The uid's pending write, as it stands now (a bind or unbind since may have settled it). */
  private async retry(uid: string): Promise<void> {
    const write = this.unwritten.get(uid);
    if (write === 'put') await this.rewrite(uid);
    else if (write === 'delete') {
      // bound here again since: its bind wrote the binding, or left a put pending in its place
      if (!this.held.has(uid)) await this.deleteOwn(uid);
      this.unwritten.delete(uid);
    }
  }

  /**
   * A binding written again, unless the user has left here. Not over another frontend's binding:
   * that one is tried again next round, until it goes (its user left there) or the user leaves here.
   */
  private async rewrite(uid: string): Promise<void> {
    const { self } = this.options;
    const lease = this.lease;
    if (!this.held.has(uid) || !lease) {
      this.unwritten.delete(uid);
      return;
    }
    const key = this.key(self.type, uid);
    const kv = this.bindings();
    const put = () => kv.put(key).value(self.id).lease(lease.grant());
    const written =
      (await kv.if(key, 'Version', '==', 0).then(put()).commit()).succeeded ||
      (await kv.if(key, 'Value', '==', self.id).then(put()).commit()).succeeded;
    if (written) this.unwritten.delete(uid);
    else this.writeLater(uid, 'put');
  }

  /**
   * Runs a write of `uid` after the ones before it: a user leaving and logging in again here makes
   * a delete then a put, which must not reach etcd the other way round.
   */
  private inOrder(uid: string, write: () => Promise<void>): Promise<void> {
    // sessions closing after the stop find nothing to do: the revoked lease took their bindings
    if (this.stopped) return Promise.resolve();
    const previous = this.writing.get(uid) ?? this.start();
    const next = previous.catch(() => undefined).then(write);
    const settled = next.catch(() => undefined);
    this.writing.set(uid, settled);
    void settled.then(() => {
      if (this.writing.get(uid) === settled) this.writing.delete(uid);
    });
    return next;
  }

  async stop(): Promise<void> {
    if (!this.client || this.stopped) return;
    this.stopped = true;
    // revoking the lease deletes this frontend's bindings at once
    if (this.lease) await settlesWithin(this.lease.revoke(), this.options.dialTimeoutMs);
    this.client.close();
  }
}
