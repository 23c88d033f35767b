import 'reflect-metadata';
import { connect as natsConnect, type NatsConnection } from '@nats-io/transport-node';
import { SpanKind } from '@opentelemetry/api';
import { MemoryCluster } from '@pitaya-ts/core/provider';
import { etcdDiscoveryModule } from '@pitaya-ts/etcd';
import { natsRpcModule, subjects } from '@pitaya-ts/nats';
import { startEtcdServer, startNatsServer, waitFor, type EtcdServer, type NatsServer } from '@pitaya-ts/testing';
import * as path from 'node:path';
import { loadSync } from 'protobufjs';
import { startTracedCluster, type TracedCluster } from './fixtures';
import { tracingSuite } from './tracing-suite';

let nats: NatsServer;
let etcd: EtcdServer;
const natsConfig = () => ({
  'pitaya.cluster.rpc.client.nats.connect': nats.url,
  'pitaya.cluster.rpc.server.nats.connect': nats.url,
});

tracingSuite('NATS RPC and etcd discovery (real servers)', 'NATS', () => [natsRpcModule(), etcdDiscoveryModule()], {
  beforeAll: async () => {
    [nats, etcd] = await Promise.all([startNatsServer(), startEtcdServer()]);
  },
  afterAll: async () => {
    await nats?.stop();
    await etcd?.destroy();
  },
  config: () => ({
    ...natsConfig(),
    'pitaya.cluster.sd.etcd.endpoints': etcd.endpoint,
    'pitaya.cluster.sd.etcd.prefix': `tracing-${process.pid}/`,
    'pitaya.cluster.sd.etcd.shutdown.delay': '0ms',
  }),
});

// Go Pitaya's side of the wire, with proto/pitaya.proto itself rather than the code under test
const root = loadSync(path.resolve(__dirname, '../../../proto/pitaya.proto'));
const Request = root.lookupType('protos.Request');
const Response = root.lookupType('protos.Response');
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

describe('trace context between Go Pitaya servers and pitaya-ts over NATS', () => {
  let cluster: TracedCluster;
  let go: NatsConnection;

  beforeAll(async () => {
    nats = await startNatsServer();
    go = await natsConnect({ servers: nats.url });
    const discovery = new MemoryCluster().providers();
    cluster = await startTracedCluster(() => [discovery, natsRpcModule()], natsConfig());
  }, 30_000);

  afterAll(async () => {
    await cluster?.stop();
    await go?.close();
    await nats?.stop();
  });

  it("continues the trace of a Go server's request from its otel-span", async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parentId = '00f067aa0ba902b7';
    const request = Request.encode(
      Request.create({
        type: 1, // User
        msg: { id: 0, route: 'room.scores.add', data: Buffer.from('{"points":1}'), type: 0 },
        frontendID: '',
        metadata: Buffer.from(
          JSON.stringify({
            'peer.id': 'go-room-7',
            'peer.service': 'room',
            'request.id': 'go-request-1',
            'otel-span': { traceparent: `00-${traceId}-${parentId}-01` },
          }),
        ),
      }),
    ).finish();
    const reply = await go.request(subjects.server('room', 'room-1'), request, { timeout: 5000 });
    expect(Buffer.from(Response.decode(reply.data).toJSON().data as string, 'base64').toString()).toBe('{"total":2}');

    await waitFor(() => cluster.exporter.getFinishedSpans().some((span) => span.name === 'room.scores.add'));
    const span = cluster.exporter.getFinishedSpans().find((s) => s.name === 'room.scores.add')!;
    expect(span.spanContext().traceId).toBe(traceId);
    expect(span.parentSpanContext?.spanId).toBe(parentId);
    expect(span.kind).toBe(SpanKind.SERVER);
    expect(span.attributes).toMatchObject({
      'peer.id': 'go-room-7',
      'peer.service': 'room',
      'request.id': 'go-request-1',
    });
  });

  it('sends otel-span as a JSON object of W3C headers that names the RPC client span', async () => {
    const seen: Uint8Array[] = [];
    // a second subscriber on room-2's subject sees what room-1 sends it, as a Go server would receive it
    const spy = go.subscribe(subjects.server('room', 'room-2'), { callback: (_err, msg) => void seen.push(msg.data) });
    await go.flush();
    const answer = await cluster.rooms[0]!.rpcTo('room-2', 'room.scores.add', { points: 3 });
    expect(answer).toEqual({ total: 6 });
    await waitFor(() => seen.length > 0);
    spy.unsubscribe();

    const metadata = JSON.parse(
      Buffer.from(Request.toObject(Request.decode(seen[0]!)).metadata as Uint8Array).toString(),
    ) as { 'otel-span': { traceparent: string } };
    expect(Object.keys(metadata['otel-span'])).toEqual(['traceparent']);
    const [, traceId, spanId] = TRACEPARENT.exec(metadata['otel-span'].traceparent)!;
    await waitFor(() => cluster.exporter.getFinishedSpans().some((span) => span.spanContext().spanId === spanId));
    const call = cluster.exporter.getFinishedSpans().find((span) => span.spanContext().spanId === spanId)!;
    expect(call.name).toBe('NATS RPC Call');
    expect(call.spanContext().traceId).toBe(traceId);
  });
});
