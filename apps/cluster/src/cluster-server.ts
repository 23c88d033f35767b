import * as path from 'node:path';
import { bootstrap, TcpAcceptor, WsAcceptor, type PitayaApp } from '@pitaya-ts/core';
import { etcdBindingStorageModule, etcdDiscoveryModule, etcdGroupsModule } from '@pitaya-ts/etcd';
import { grpcRpcModule } from '@pitaya-ts/grpc';
import { natsRpcModule } from '@pitaya-ts/nats';
import { tracingModule } from '@pitaya-ts/tracing';
import { workerModule } from '@pitaya-ts/worker';
import { EntryHandler } from './entry.handler';
import { GRANT_BADGE_ROUTE, GRANT_BADGE_TYPES, LEAVE_ROUTE, LEAVE_TYPES, RoomRemote } from './room.remote';
import { RoomHandler } from './room.handler';
import { roomJobServer, roomRouting } from './room-router';
import { roomOf, Rooms } from './rooms';

export type ServerKind = 'connector' | 'room';
export type RpcTransport = 'nats' | 'grpc';
export type GroupStore = 'memory' | 'etcd';

export interface ClusterServerOptions {
  type: ServerKind;
  id?: string;
  host?: string;
  /** connector: WebSocket port (0 = any free one) */
  port?: number;
  /** connector: TCP port */
  tcpPort?: number;
  /** RPC between the servers: NATS (default), or gRPC with the users' bindings in etcd. */
  rpc?: RpcTransport;
  /** Where room groups live: each room server's memory (default), or etcd, seen by every server. */
  groups?: GroupStore;
  /** `pitaya.*` values; `PITAYA_*` env vars override them (NATS, etcd and Redis addresses, prefix...). */
  config?: Record<string, unknown>;
  env?: Record<string, string | undefined>;
  handleSignals?: boolean;
}

const PROTO = path.join(__dirname, '..', 'proto', 'room.proto');
/** The protobuf type of each reliable RPC's argument. */
const JOB_TYPES = { [GRANT_BADGE_ROUTE]: GRANT_BADGE_TYPES };

/** A server of the demo cluster, built but not started. */
export async function createClusterServer(options: ClusterServerOptions): Promise<PitayaApp> {
  const common = {
    serverId: options.id,
    providers: [
      // gRPC reaches a user's connector through the binding storage; NATS through the user's subjects
      ...(options.rpc === 'grpc' ? [grpcRpcModule(), etcdBindingStorageModule()] : [natsRpcModule()]),
      ...(options.groups === 'etcd' ? [etcdGroupsModule()] : []),
      etcdDiscoveryModule(),
      // room servers run the reliable RPCs (badges), on their room's server; connectors only enqueue
      workerModule({ types: JOB_TYPES, pickServer: roomJobServer, runJobs: options.type === 'room' }),
      // traces when PITAYA_TRACING_ENABLED=true or OTEL_TRACES_EXPORTER=otlp (docker/compose.yml sends them to Jaeger)
      tracingModule({ env: options.env }),
    ],
    config: { 'pitaya.serializer.protobuf.files': [PROTO], ...options.config },
    env: options.env,
    handleSignals: options.handleSignals,
  };
  if (options.type === 'room') {
    const app = await bootstrap({ ...common, serverType: 'room', handlers: [RoomHandler], remotes: [RoomRemote] });
    app.container.bind(Rooms).toSelf().inSingletonScope();
    return app;
  }
  const host = options.host ?? '127.0.0.1';
  const app = await bootstrap({
    ...common,
    serverType: 'connector',
    handlers: [EntryHandler],
    acceptors: [
      new WsAcceptor({ host, port: options.port ?? 3250 }),
      new TcpAcceptor({ host, port: options.tcpPort ?? 3251 }),
    ],
  });
  app.addRoute('room', roomRouting);
  // a member who disconnects leaves its room, on whichever room server holds it
  app.sessions.onSessionClose(async (session) => {
    const room = roomOf(session);
    if (session.uid === undefined || room === undefined) return;
    await app.rpc(LEAVE_ROUTE, { uid: session.uid, room }, { session, types: LEAVE_TYPES }).catch((err: unknown) => {
      app.logger.warn({ err, uid: session.uid, room }, 'could not tell the room server about a departure');
    });
  });
  return app;
}
