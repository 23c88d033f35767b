import type { Etcd3, Lease, Watcher } from 'etcd3';
import {
  Metric,
  type Logger,
  type MetricsReporter,
  type ServerInfo,
  type ServiceDiscovery,
  type ServiceDiscoveryListener,
} from '@pitaya-ts/core';
import { settlesWithin } from '@pitaya-ts/core/provider';
import { eachLimited } from './each-limited';
import { etcdClient } from './etcd-client';

export interface EtcdServiceDiscoveryOptions {
  endpoints: string[];
  user?: string;
  pass?: string;
  dialTimeoutMs: number;
  /** Key prefix; servers see each other only under the same one (Pitaya's default `pitaya/`). */
  prefix: string;
  /** TTL of the lease the server's key lives under, s. */
  leaseTtlSec: number;
  /** Log each renewal of the lease at debug level. */
  heartbeatLog?: boolean;
  /** A lease grant etcd has not answered within this counts as a failed attempt, ms. */
  grantTimeoutMs: number;
  grantRetries: number;
  grantRetryIntervalMs: number;
  revokeTimeoutMs: number;
  syncIntervalMs: number;
  /** Servers a periodic re-read fetches at once. */
  syncParallelism: number;
  shutdownDelayMs: number;
  blacklist: string[];
  self: ServerInfo;
  reporter: MetricsReporter;
  logger: Logger;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Pitaya's JSON for a server: `{"id","type","metadata","frontend","hostname"}`. */
function serverJson(server: ServerInfo): string {
  const { id, type, metadata, frontend, hostname } = server;
  return JSON.stringify({ id, type, metadata, frontend, hostname });
}

function parseServer(value: string): ServerInfo | undefined {
  try {
    const raw = JSON.parse(value) as Partial<ServerInfo>;
    if (typeof raw.id !== 'string' || typeof raw.type !== 'string') return undefined;
    return {
      id: raw.id,
      type: raw.type,
      frontend: raw.frontend === true,
      hostname: typeof raw.hostname === 'string' ? raw.hostname : '',
      metadata: raw.metadata && typeof raw.metadata === 'object' ? raw.metadata : {},
    };
  } catch {
    return undefined;
  }
}

/**
 * Pitaya's etcd service discovery: the server's key `<prefix>servers/<type>/<id>` lives under a
 * lease kept alive (re-granted when lost, or the server shuts down); the prefix is read at start,
 * watched, and re-read periodically. Unlike Pitaya, metadata updates of known servers apply.
 */
export class EtcdServiceDiscovery implements ServiceDiscovery {
  private client: Etcd3 | undefined;
  private lease: Lease | undefined;
  private watcher: Watcher | undefined;
  private syncTimer: ReturnType<typeof setInterval> | undefined;
  private syncing: Promise<void> | undefined;
  private stopping = false;
  private readonly known = new Map<string, ServerInfo>();
  private readonly listeners: ServiceDiscoveryListener[] = [];
  private readonly blacklist: Set<string>;

  constructor(private readonly options: EtcdServiceDiscoveryOptions) {
    this.blacklist = new Set(options.blacklist);
  }

  private get serversPrefix(): string {
    return `${this.options.prefix}servers/`;
  }

  private get key(): string {
    const { type, id } = this.options.self;
    return `${this.serversPrefix}${type}/${id}`;
  }

  async start(): Promise<void> {
    const { endpoints, user, pass, dialTimeoutMs } = this.options;
    this.client = etcdClient({ endpoints, user, pass, dialTimeoutMs });
    await this.register();
    // the watch starts right after the revision the read saw: a server that registers in between
    // (servers often start together) is in the read or in the watch, never in neither
    const revision = await this.readAll();
    await this.watch(revision + 1);
    this.syncTimer = setInterval(() => {
      // one re-read at a time: a slow one is not joined by the next
      if (this.syncing) return;
      this.syncing = this.sync()
        .catch((err: unknown) => this.options.logger.warn({ err }, 'etcd sync failed'))
        .finally(() => (this.syncing = undefined));
    }, this.options.syncIntervalMs);
    this.syncTimer.unref();
  }

  private async watch(fromRevision: number): Promise<void> {
    const watcher = this.etcd.watch().prefix(this.serversPrefix).startRevision(String(fromRevision)).watcher();
    // listening before etcd confirms the watch: the changes since the read may follow at once
    watcher.on('put', (kv) => this.put(kv.key.toString(), kv.value.toString()));
    watcher.on('delete', (kv) => this.delete(kv.key.toString()));
    watcher.on('error', (err) => this.options.logger.warn({ err }, 'etcd watch error'));
    this.watcher = watcher;
    await new Promise((resolve, reject) => {
      watcher.once('connected', resolve);
      watcher.once('error', reject);
    });
  }

  /** Grants a lease and puts the server's key under it, retrying a bounded number of times. */
  private async register(): Promise<void> {
    const { grantTimeoutMs, grantRetries, grantRetryIntervalMs, leaseTtlSec, heartbeatLog, logger } = this.options;
    for (let attempt = 0; ; attempt++) {
      try {
        // the deadline bounds the grant only: the lease's keep-alives run as long as it lives
        const lease = this.etcd.lease(leaseTtlSec, { autoKeepAlive: true, deadline: Date.now() + grantTimeoutMs });
        await lease.grant();
        lease.on('lost', (err) => this.leaseLost(lease, err));
        if (heartbeatLog)
          lease.on('keepaliveSucceeded', (res) => logger.debug({ lease: res.ID }, 'etcd lease renewed'));
        await lease.put(this.key).value(serverJson(this.options.self));
        this.lease = lease;
        return;
      } catch (err) {
        if (attempt >= grantRetries) throw err;
        logger.warn({ err, attempt: attempt + 1 }, 'cannot register in etcd, retrying');
        await delay(grantRetryIntervalMs);
      }
    }
  }

  private get etcd(): Etcd3 {
    if (!this.client) throw new Error('etcd discovery is not started');
    return this.client;
  }

  private get registration(): Lease {
    if (!this.lease) throw new Error('this server is not registered in etcd');
    return this.lease;
  }

  private leaseLost(lease: Lease, err: Error): void {
    if (this.stopping || lease !== this.lease) return;
    this.options.logger.warn({ err }, 'etcd lease lost, registering again');
    this.register().catch((error: unknown) => {
      this.options.logger.error({ err: error }, 'cannot register in etcd any more');
      for (const listener of this.listeners) listener.fatal?.(error as Error);
    });
  }

  /** Reads every server under the prefix, in one request; resolves with the revision read. */
  private async readAll(): Promise<number> {
    const { header, kvs } = await this.etcd.getAll().prefix(this.serversPrefix).exec();
    for (const kv of kvs) this.put(kv.key.toString(), kv.value.toString());
    return Number(header.revision);
  }

  /**
   * The periodic re-read, a safety net for what the watch missed, as Pitaya's: lists the keys
   * only, fetches the servers it does not know (`syncParallelism` at a time), and drops those it
   * knew that are no longer listed. A server the watch adds meanwhile stays.
   */
  private async sync(): Promise<void> {
    const before = new Set(this.known.keys());
    const listed = new Set<string>();
    const unknown: string[] = [];
    for (const key of await this.etcd.getAll().prefix(this.serversPrefix).keys()) {
      const parsed = this.idFromKey(key);
      if (!parsed || this.blacklist.has(parsed.type)) continue;
      listed.add(parsed.id);
      if (!this.known.has(parsed.id)) unknown.push(key);
    }
    await eachLimited(unknown, this.options.syncParallelism, async (key) => {
      // null: gone since it was listed
      const value = await this.etcd.get(key).string();
      if (value !== null) this.put(key, value);
    });
    for (const id of before) if (!listed.has(id)) this.remove(id);
  }

  private idFromKey(key: string): { type: string; id: string } | undefined {
    const rest = key.slice(this.serversPrefix.length).split('/');
    return rest.length === 2 && rest[0] && rest[1] ? { type: rest[0], id: rest[1] } : undefined;
  }

  private put(key: string, value: string): ServerInfo | undefined {
    const parsed = this.idFromKey(key);
    const server = parseServer(value);
    if (!parsed || !server || this.blacklist.has(server.type)) return undefined;
    const previous = this.known.get(server.id);
    this.known.set(server.id, server);
    if (!previous) {
      for (const listener of this.listeners) listener.added?.(server);
      this.reportCount(server.type);
    } else if (JSON.stringify(previous) !== JSON.stringify(server)) {
      for (const listener of this.listeners) listener.updated?.(server);
    }
    return server;
  }

  private delete(key: string): void {
    const parsed = this.idFromKey(key);
    if (parsed) this.remove(parsed.id);
  }

  private remove(id: string): void {
    const server = this.known.get(id);
    if (!server) return;
    this.known.delete(id);
    for (const listener of this.listeners) listener.removed?.(server);
    this.reportCount(server.type);
  }

  private reportCount(type: string): void {
    this.options.reporter.reportGauge(Metric.CountServers, { type }, this.getServersByType(type).length);
  }

  /** Publishes new metadata for this server (the keys given; the others kept); the others apply it. */
  async updateMetadata(metadata: Record<string, string>): Promise<void> {
    this.options.self.metadata = { ...this.options.self.metadata, ...metadata };
    await this.registration.put(this.key).value(serverJson(this.options.self));
  }

  async stop(): Promise<void> {
    if (!this.client || this.stopping) return;
    this.stopping = true;
    clearInterval(this.syncTimer);
    await this.watcher?.cancel().catch(() => undefined);
    // revoking the lease deletes the key: the others drop this server at once
    if (this.lease) await settlesWithin(this.lease.revoke(), this.options.revokeTimeoutMs);
    await delay(this.options.shutdownDelayMs);
    this.client.close();
  }

  getServer(id: string): ServerInfo | undefined {
    return this.known.get(id);
  }

  getServersByType(type: string): ServerInfo[] {
    return [...this.known.values()].filter((server) => server.type === type);
  }

  servers(): ServerInfo[] {
    return [...this.known.values()];
  }

  addListener(listener: ServiceDiscoveryListener): void {
    this.listeners.push(listener);
  }
}
