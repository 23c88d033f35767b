import 'reflect-metadata';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { TOKENS, type PitayaApp } from '@pitaya-ts/core';
import { waitFor } from '@pitaya-ts/testing';
import type { ContainerModule } from 'inversify';
import { startTracedCluster, type TracedCluster } from './fixtures';

export interface TracingSuiteSetup {
  beforeAll?: () => Promise<void>;
  afterAll?: () => Promise<void>;
  config?: () => Record<string, unknown>;
}

const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
const idOf = (span: ReadableSpan) => span.spanContext().spanId;

/** The spans of one trace, the trace of the span named `root`. */
async function traceOf(cluster: TracedCluster, root: string, count: number): Promise<ReadableSpan[]> {
  let spans: ReadableSpan[] = [];
  await waitFor(() => {
    const all = cluster.exporter.getFinishedSpans();
    const first = all.find((span) => span.name === root && span.attributes['local.id'] === 'connector-1');
    spans = first ? all.filter((span) => span.spanContext().traceId === first.spanContext().traceId) : [];
    return spans.length >= count;
  });
  return spans;
}

/** Names, kinds, attributes and parent links of the spans of a forward and a user RPC, whatever carries them. */
export function tracingSuite(
  title: string,
  transport: string,
  providers: () => ContainerModule[],
  setup: TracingSuiteSetup = {},
) {
  describe(`tracing: ${title}`, () => {
    let cluster: TracedCluster;

    beforeAll(async () => {
      await setup.beforeAll?.();
      cluster = await startTracedCluster(providers, {
        ...setup.config?.(),
        'pitaya.cluster.rpc.client.nats.requesttimeout': '5s',
      });
      // every server sees both rooms before the first forward
      const rooms = (app: PitayaApp) => app.container.get(TOKENS.ServiceDiscovery).getServersByType('room');
      await waitFor(() => [cluster.connector, ...cluster.rooms].every((app) => rooms(app).length === 2));
    }, 30_000);

    afterAll(async () => {
      await cluster?.stop();
      await setup.afterAll?.();
    }, 30_000);

    beforeEach(() => cluster.exporter.reset());

    it('follows a client request from the connector through the forward to a room, and its user RPC to the other room', async () => {
      const client = await cluster.client();
      await expect(client.request('room.room.play', { points: 21 })).resolves.toEqual({ total: 42 });
      const spans = await traceOf(cluster, 'room.room.play', 6);
      const [message, forward, handled, call, remote, own] = [
        spans.find((s) => s.name === 'room.room.play' && s.attributes['local.id'] === 'connector-1'),
        spans.find((s) => s.name === `${transport} RPC Call` && s.attributes['local.id'] === 'connector-1'),
        spans.find((s) => s.name === 'room.room.play' && s.attributes['local.id'] !== 'connector-1'),
        spans.find((s) => s.name === `${transport} RPC Call` && s.attributes['local.id'] !== 'connector-1'),
        spans.find((s) => s.name === 'room.scores.add'),
        spans.find((s) => s.name === 'scores.compute'),
      ].map((span) => span!);
      const requestId = message!.attributes['request.id'];
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);

      // the frontend's span of the client message: the root
      expect(message!.kind).toBe(SpanKind.SERVER);
      expect(parentOf(message!)).toBeUndefined();
      expect(message!.attributes).toEqual({
        'local.id': 'connector-1',
        'span.kind': 'server',
        'msg.type': 'request',
        'user.id': '',
        'request.id': requestId,
      });

      // the forward (Sys RPC) to the room the router picked
      const room = handled!.attributes['local.id'] as string;
      expect(['room-1', 'room-2']).toContain(room);
      expect(forward!.kind).toBe(SpanKind.CLIENT);
      expect(parentOf(forward!)).toBe(idOf(message!));
      expect(forward!.attributes).toEqual({
        'span.kind': 'client',
        'local.id': 'connector-1',
        'peer.serverType': 'room',
        'peer.id': room,
      });

      // the room's handling, continuing the trace from otel-span
      expect(handled!.kind).toBe(SpanKind.SERVER);
      expect(parentOf(handled!)).toBe(idOf(forward!));
      expect(handled!.attributes).toEqual({
        'local.id': room,
        'span.kind': 'server',
        'peer.id': 'connector-1',
        'peer.service': 'connector',
        'request.id': requestId,
      });

      // the handler's user RPC to the other room, and the remote's handling there
      const other = room === 'room-1' ? 'room-2' : 'room-1';
      expect(call!.kind).toBe(SpanKind.CLIENT);
      expect(parentOf(call!)).toBe(idOf(handled!));
      expect(call!.attributes).toEqual({
        'span.kind': 'client',
        'local.id': room,
        'peer.serverType': 'room',
        'peer.id': other,
      });
      expect(remote!.kind).toBe(SpanKind.SERVER);
      expect(parentOf(remote!)).toBe(idOf(call!));
      expect(remote!.attributes).toEqual({
        'local.id': other,
        'span.kind': 'server',
        'peer.id': room,
        'peer.service': 'room',
        'request.id': requestId,
      });

      // a remote's own span is the child of the RPC's
      expect(parentOf(own!)).toBe(idOf(remote!));
      for (const span of spans) expect(span.status.code).not.toBe(SpanStatusCode.ERROR);
    });

    it('marks the spans of a failed request with its PIT code, on the room and on the connector', async () => {
      const client = await cluster.client();
      await expect(client.request('room.room.fail', {})).rejects.toMatchObject({ code: 'PIT-555' });
      const spans = await traceOf(cluster, 'room.room.fail', 3);
      expect(spans.map((span) => [span.name, span.status, span.attributes['error.type']])).toEqual(
        expect.arrayContaining([
          ['room.room.fail', { code: SpanStatusCode.ERROR, message: 'PIT-555' }, 'PIT-555'],
          [`${transport} RPC Call`, { code: SpanStatusCode.ERROR, message: 'PIT-555' }, 'PIT-555'],
        ]),
      );
      expect(spans.filter((span) => span.status.code === SpanStatusCode.ERROR)).toHaveLength(3);
    });

    it('marks a client message for no route with PIT-404', async () => {
      const client = await cluster.client();
      await expect(client.request('connector.nothing.here', {})).rejects.toMatchObject({ code: 'PIT-404' });
      const [span] = await traceOf(cluster, 'connector.nothing.here', 1);
      expect(span!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'PIT-404' });
    });
  });
}
