import 'reflect-metadata';
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { connect, type PitayaClient } from '@pitaya-ts/client';
import {
  bootstrap,
  Handler,
  PitayaError,
  Remote,
  Request,
  TOKENS,
  WsAcceptor,
  type HandlerContext,
  type PitayaApp,
} from '@pitaya-ts/core';
import { inject, type ContainerModule } from 'inversify';
import { tracingModule, type TracingOptions } from '../src';

/** The other room of the two: where a room's remote calls go. */
const otherRoom = (self: string) => (self === 'room-1' ? 'room-2' : 'room-1');

@Handler('room')
export class RoomHandler {
  constructor(@inject(TOKENS.App) private readonly app: PitayaApp) {}

  /** A forwarded request that makes a user RPC to the other room, passing its context on. */
  @Request()
  async play(body: { points: number }, { metadata }: HandlerContext) {
    const other = otherRoom(this.app.server.id);
    return this.app.rpcTo(other, 'room.scores.add', body, { metadata });
  }

  @Request()
  async fail() {
    throw new PitayaError('PIT-555', 'room is full');
  }
}

@Remote('scores')
export class ScoresRemote {
  /** Its own span, a child of the RPC's: the active context is there. */
  add(arg: { points: number }) {
    return trace.getTracer('scores').startActiveSpan('scores.compute', (span) => {
      span.end();
      return { total: arg.points * 2 };
    });
  }
}

export interface TracedCluster {
  connector: PitayaApp;
  rooms: PitayaApp[];
  /** Every span, unless the cluster was given tracing options of its own. */
  exporter: InMemorySpanExporter;
  client(): Promise<PitayaClient>;
  stop(): Promise<void>;
}

/** A connector and two rooms, every span of the three kept in memory (or traced as `tracing` says). */
export async function startTracedCluster(
  providers: () => ContainerModule[],
  config: Record<string, unknown> = {},
  tracing?: TracingOptions,
): Promise<TracedCluster> {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  // what applications' own spans use (the remote's scores.compute)
  if (!tracing) trace.setGlobalTracerProvider(tracerProvider);
  const traced = () => tracingModule(tracing ?? { tracerProvider });
  const options = {
    providers: [],
    config: { 'pitaya.log.level': 'silent', ...config },
    handleSignals: false,
  };
  const rooms: PitayaApp[] = [];
  for (const id of ['room-1', 'room-2']) {
    const room = await bootstrap({
      ...options,
      serverType: 'room',
      serverId: id,
      handlers: [RoomHandler],
      remotes: [ScoresRemote],
      providers: [...providers(), traced()],
    });
    await room.start();
    rooms.push(room);
  }
  const connector = await bootstrap({
    ...options,
    serverType: 'connector',
    serverId: 'connector-1',
    acceptors: [new WsAcceptor({ host: '127.0.0.1', port: 0 })],
    providers: [...providers(), traced()],
  });
  await connector.start();
  const clients: PitayaClient[] = [];
  return {
    connector,
    rooms,
    exporter,
    async client() {
      const client = await connect(`ws://127.0.0.1:${connector.acceptors[0]!.address()!.port}`);
      clients.push(client);
      return client;
    },
    async stop() {
      await Promise.all(clients.map((c) => c.close()));
      for (const app of [connector, ...rooms]) await app.stop();
      if (!tracing) trace.disable();
    },
  };
}
