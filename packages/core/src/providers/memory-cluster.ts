import { ContainerModule } from 'inversify';
import { PitayaError } from '../errors/pitaya-error';
import type { RpcClient, RpcHandler, RpcServer } from '../rpc/rpc-client';
import type { RpcRequest, RpcResponse } from '../wire/rpc-messages';
import type { ServerInfo, ServiceDiscovery, ServiceDiscoveryListener } from '../rpc/service-discovery';
import { TOKENS } from '../tokens';
import { settlesWithin } from '../util/within';
import {
  decodeBindMsg,
  decodePush,
  decodeRequest,
  decodeResponse,
  encodeBindMsg,
  encodePush,
  encodeRequest,
  encodeResponse,
  type BindMessage,
  type PushMessage,
} from '../wire/protos';

type RpcHandle = (request: RpcRequest) => Promise<RpcResponse>;

/**
 * A cluster inside one process: several servers that find and call each other through this
 * object instead of etcd and NATS. Messages are still encoded as Pitaya's protos on the way, so
 * what works here works on the wire. Give every server of the cluster `cluster.providers()`.
 */
export class MemoryCluster {
  private readonly servers = new Map<string, ServerInfo>();
  private readonly handlers = new Map<string, RpcHandle>();
  private readonly listeners = new Set<ServiceDiscoveryListener>();
  private readonly users = new Map<string, Set<RpcHandler>>();
  private readonly bindings = new Map<string, Set<RpcHandler>>();

  /** Providers for one server: discovery, RPC client and RPC server on this cluster. */
  providers(): ContainerModule {
    return new ContainerModule(({ rebind }) => {
      rebind(TOKENS.ServiceDiscovery).toDynamicValue(
        (ctx) => new MemoryServiceDiscovery(this, ctx.get(TOKENS.ServerInfo)),
      );
      rebind(TOKENS.RpcClient).toDynamicValue(() => new MemoryRpcClient(this));
      rebind(TOKENS.RpcServer).toDynamicValue((ctx) => new MemoryRpcServer(this, ctx.get(TOKENS.ServerInfo)));
    });
  }

  register(server: ServerInfo): void {
    // a copy: what others see changes only through update()
    server = { ...server, metadata: { ...server.metadata } };
    this.servers.set(server.id, server);
    for (const listener of this.listeners) listener.added?.(server);
  }

  update(server: ServerInfo): void {
    const copy = { ...server, metadata: { ...server.metadata } };
    this.servers.set(server.id, copy);
    for (const listener of this.listeners) listener.updated?.(copy);
  }

  deregister(server: ServerInfo): void {
    if (!this.servers.delete(server.id)) return;
    for (const listener of this.listeners) listener.removed?.(server);
  }

  list(): ServerInfo[] {
    return [...this.servers.values()];
  }

  get(id: string): ServerInfo | undefined {
    return this.servers.get(id);
  }

  listen(listener: ServiceDiscoveryListener): void {
    this.listeners.add(listener);
  }

  unlisten(listener: ServiceDiscoveryListener): void {
    this.listeners.delete(listener);
  }

  serve(id: string, handle: RpcHandle | undefined): void {
    if (handle) this.handlers.set(id, handle);
    else this.handlers.delete(id);
  }

  async deliver(serverId: string, request: Uint8Array): Promise<Uint8Array> {
    // a turn of the event loop, as a network hop would take
    await new Promise((resolve) => setImmediate(resolve));
    const handle = this.handlers.get(serverId);
    if (!handle) throw PitayaError.unreachable(serverId);
    return encodeResponse(await handle(decodeRequest(request)));
  }

  subscribe(topic: 'user' | 'bindings', key: string, handler: RpcHandler, on: boolean): void {
    const map = topic === 'user' ? this.users : this.bindings;
    let set = map.get(key);
    if (!set) map.set(key, (set = new Set()));
    if (on) set.add(handler);
    else set.delete(handler);
  }

  publish(topic: 'user' | 'bindings', key: string, deliver: (handler: RpcHandler) => void): void {
    for (const handler of (topic === 'user' ? this.users : this.bindings).get(key) ?? []) deliver(handler);
  }
}

export class MemoryServiceDiscovery implements ServiceDiscovery {
  private readonly blacklist: Set<string>;
  private readonly listeners: ServiceDiscoveryListener[] = [];

  constructor(
    private readonly cluster: MemoryCluster,
    private readonly self: ServerInfo,
    blacklist: string[] = [],
  ) {
    this.blacklist = new Set(blacklist);
  }

  private visible = (server: ServerInfo) => !this.blacklist.has(server.type);

  async start(): Promise<void> {
    this.cluster.register(this.self);
  }

  async stop(): Promise<void> {
    this.cluster.deregister(this.self);
    for (const listener of this.listeners) this.cluster.unlisten(listener);
  }

  async updateMetadata(metadata: Record<string, string>): Promise<void> {
    this.self.metadata = { ...this.self.metadata, ...metadata };
    this.cluster.update(this.self);
  }

  getServer(id: string): ServerInfo | undefined {
    const server = this.cluster.get(id);
    return server && this.visible(server) ? server : undefined;
  }

  getServersByType(type: string): ServerInfo[] {
    return this.servers().filter((server) => server.type === type);
  }

  servers(): ServerInfo[] {
    return this.cluster.list().filter(this.visible);
  }

  addListener(listener: ServiceDiscoveryListener): void {
    const filtered: ServiceDiscoveryListener = {
      added: (s) => this.visible(s) && listener.added?.(s),
      removed: (s) => this.visible(s) && listener.removed?.(s),
      updated: (s) => this.visible(s) && listener.updated?.(s),
      fatal: (e) => listener.fatal?.(e),
    };
    this.listeners.push(filtered);
    this.cluster.listen(filtered);
  }
}

export class MemoryRpcClient implements RpcClient {
  readonly clustered = true;
  readonly transport = 'Memory';
  // each call waits one turn (setImmediate), and turns run in the order they were taken
  readonly ordered = true;

  constructor(private readonly cluster: MemoryCluster) {}

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  async call(server: ServerInfo, request: RpcRequest): Promise<RpcResponse> {
    return decodeResponse(await this.cluster.deliver(server.id, encodeRequest(request)));
  }

  async pushToUser(frontendType: string, push: PushMessage): Promise<void> {
    const bytes = encodePush(push);
    this.cluster.publish('user', `${frontendType}/${push.uid}`, (h) => h.pushToUser(decodePush(bytes)));
  }

  async kickUser(frontendType: string, uid: string): Promise<void> {
    this.cluster.publish('user', `${frontendType}/${uid}`, (h) => h.kickUser(uid));
  }

  async announceBind(frontendType: string, bind: BindMessage): Promise<void> {
    const bytes = encodeBindMsg(bind);
    // the time travels beside Pitaya's message, as a NATS header carries it
    const { boundAt } = bind;
    this.cluster.publish('bindings', frontendType, (h) => h.bindAnnounced({ ...decodeBindMsg(bytes), boundAt }));
  }
}

export class MemoryRpcServer implements RpcServer {
  private handler: RpcHandler | undefined;
  /** Bound uids, with how many sessions hold each. */
  private readonly uids = new Map<string, number>();
  private readonly running = new Set<Promise<RpcResponse>>();
  private stopping = false;

  constructor(
    private readonly cluster: MemoryCluster,
    private readonly self: ServerInfo,
  ) {}

  async start(handler: RpcHandler): Promise<void> {
    this.handler = handler;
    this.cluster.serve(this.self.id, (request) => this.handle(handler, request));
    if (this.self.frontend) this.cluster.subscribe('bindings', this.self.type, handler, true);
  }

  private async handle(handler: RpcHandler, request: RpcRequest): Promise<RpcResponse> {
    if (this.stopping) return { error: PitayaError.notRun(this.self.id) };
    const answer = handler.handle(request);
    this.running.add(answer);
    try {
      return await answer;
    } finally {
      this.running.delete(answer);
    }
  }

  /** As the NATS server: what comes now is not run (its callers go elsewhere), what runs finishes. */
  async stop(timeoutMs = 0): Promise<void> {
    if (!this.handler || this.stopping) return;
    this.stopping = true;
    await settlesWithin(Promise.allSettled(this.running), timeoutMs);
    this.cluster.serve(this.self.id, undefined);
    this.cluster.subscribe('bindings', this.self.type, this.handler, false);
    for (const uid of this.uids.keys()) this.cluster.subscribe('user', `${this.self.type}/${uid}`, this.handler, false);
    this.uids.clear();
  }

  async subscribeUser(uid: string): Promise<void> {
    const holders = this.uids.get(uid) ?? 0;
    this.uids.set(uid, holders + 1);
    // before start() there is no handler yet: stop() leaves nothing subscribed either
    if (holders === 0 && this.handler) this.cluster.subscribe('user', `${this.self.type}/${uid}`, this.handler, true);
  }

  async unsubscribeUser(uid: string): Promise<void> {
    const holders = this.uids.get(uid);
    if (holders === undefined) return;
    if (holders > 1) {
      this.uids.set(uid, holders - 1);
      return;
    }
    this.uids.delete(uid);
    if (this.handler) this.cluster.subscribe('user', `${this.self.type}/${uid}`, this.handler, false);
  }
}
