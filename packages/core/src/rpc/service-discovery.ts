/** A server of the cluster, as discovery stores it (Pitaya's JSON). */
export interface ServerInfo {
  id: string;
  type: string;
  frontend: boolean;
  hostname: string;
  metadata: Record<string, string>;
}

export interface ServiceDiscoveryListener {
  added?(server: ServerInfo): void;
  removed?(server: ServerInfo): void;
  /** A known server published new metadata. */
  updated?(server: ServerInfo): void;
  /** Discovery cannot keep this server registered any more: the server must stop. */
  fatal?(error: Error): void;
}

/** Finds the servers of the cluster. */
export interface ServiceDiscovery {
  start(): Promise<void>;
  stop(): Promise<void>;
  getServer(id: string): ServerInfo | undefined;
  getServersByType(type: string): ServerInfo[];
  servers(): ServerInfo[];
  addListener(listener: ServiceDiscoveryListener): void;
  /**
   * Publishes new metadata for this server, where the provider can: the keys given are set, the
   * others kept (what the framework and providers published at start, such as the gRPC address).
   */
  updateMetadata?(metadata: Record<string, string>): Promise<void>;
}

/** Standalone: the cluster is this one server. */
export class StandaloneServiceDiscovery implements ServiceDiscovery {
  constructor(private readonly self: ServerInfo) {}

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  getServer(id: string): ServerInfo | undefined {
    return id === this.self.id ? this.self : undefined;
  }

  getServersByType(type: string): ServerInfo[] {
    return type === this.self.type ? [this.self] : [];
  }

  servers(): ServerInfo[] {
    return [this.self];
  }

  addListener(): void {}
}
