import type { ServerInfo } from '@pitaya-ts/core';

/** Pitaya's metadata keys of a gRPC server's addresses. */
export const GrpcMetadata = {
  host: 'grpcHost',
  port: 'grpcPort',
  externalHost: 'grpc-external-host',
  externalPort: 'grpc-external-port',
  region: 'region',
} as const;

/**
 * The address to reach `target` at, as Pitaya's gRPC client picks it: the external one when the
 * target is in another region than `ownRegion` (or names no region) and has one, else the internal
 * one. Undefined for a server without a gRPC address (one on NATS RPC).
 */
export function grpcAddress(target: ServerInfo, ownRegion: string): string | undefined {
  const md = target.metadata;
  const region = md[GrpcMetadata.region];
  const external = md[GrpcMetadata.externalHost];
  const useExternal = external && (!region || region !== ownRegion);
  const host = useExternal ? external : md[GrpcMetadata.host];
  const port = useExternal ? md[GrpcMetadata.externalPort] : md[GrpcMetadata.port];
  if (!host || !port) return undefined;
  // IPv6 literals need brackets in a target
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}
