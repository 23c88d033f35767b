import 'reflect-metadata';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse } from 'protobufjs';
import { MemoryCluster } from '@pitaya-ts/core/provider';
import { waitFor } from '@pitaya-ts/testing';
import { startTracedCluster } from './fixtures';

// The part of OTLP's trace protos (opentelemetry/proto/collector/trace/v1) the test reads
const OTLP = parse(`
syntax = "proto3";
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
message Resource { repeated KeyValue attributes = 1; }
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; }
message InstrumentationScope { string name = 1; }
message Span {
  bytes trace_id = 1;
  bytes span_id = 2;
  bytes parent_span_id = 4;
  string name = 5;
  int32 kind = 6;
  repeated KeyValue attributes = 9;
  Status status = 15;
}
message Status { string message = 2; int32 code = 3; }
message KeyValue { string key = 1; AnyValue value = 2; }
message AnyValue { oneof value { string string_value = 1; bool bool_value = 2; int64 int_value = 3; } }
`).root.lookupType('ExportTraceServiceRequest');

interface OtlpSpan {
  service: string;
  scope: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, string>;
}

interface KeyValue {
  key: string;
  value: { stringValue?: string };
}

/** An export request as protobufjs's toObject gives it: bytes as base64, absent messages null. */
interface DecodedRequest {
  resourceSpans: {
    resource: { attributes: KeyValue[] } | null;
    scopeSpans: {
      scope: { name: string } | null;
      spans: {
        traceId: string;
        spanId: string;
        parentSpanId: string;
        name: string;
        kind: number;
        attributes: KeyValue[];
      }[];
    }[];
  }[];
}

const attributes = (list: KeyValue[] = []) =>
  Object.fromEntries(list.map(({ key, value }) => [key, value.stringValue ?? '']));

/** What an OTLP/HTTP collector receives on /v1/traces: protobuf requests, decoded. */
function collector() {
  const spans: OtlpSpan[] = [];
  const contentTypes: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        contentTypes.push(req.headers['content-type'] ?? '');
        const decoded = OTLP.toObject(OTLP.decode(Buffer.concat(chunks)), {
          bytes: String,
          defaults: true,
        }) as DecodedRequest;
        for (const rs of decoded.resourceSpans) {
          const service = attributes(rs.resource?.attributes)['service.name']!;
          for (const ss of rs.scopeSpans) {
            for (const span of ss.spans) {
              spans.push({
                service,
                scope: ss.scope?.name ?? '',
                traceId: Buffer.from(span.traceId, 'base64').toString('hex'),
                spanId: Buffer.from(span.spanId, 'base64').toString('hex'),
                parentSpanId: Buffer.from(span.parentSpanId, 'base64').toString('hex'),
                name: span.name,
                kind: span.kind,
                attributes: attributes(span.attributes),
              });
            }
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  return { server, spans, contentTypes };
}

describe('traces exported over OTLP/HTTP by the Node SDK', () => {
  const saved = { ...process.env };
  afterAll(() => {
    process.env = saved;
  });

  it('sends the spans of a forward and a user RPC to the collector, named and linked', async () => {
    const otlp = collector();
    await new Promise<void>((resolve) => otlp.server.listen(0, '127.0.0.1', resolve));
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${(otlp.server.address() as AddressInfo).port}`;
    process.env.OTEL_SERVICE_NAME = 'pitaya-game';
    try {
      const discovery = new MemoryCluster().providers();
      const cluster = await startTracedCluster(() => [discovery], { 'pitaya.tracing.enabled': true }, {});
      const client = await cluster.client();
      await expect(client.request('room.room.play', { points: 1 })).resolves.toEqual({ total: 2 });
      // a stopping server flushes what it traced
      await cluster.stop();
      await waitFor(() => otlp.spans.length >= 5);
    } finally {
      otlp.server.close();
    }

    const spans = otlp.spans;
    expect(otlp.contentTypes[0]).toBe('application/x-protobuf');
    const byId = new Map(spans.map((span) => [span.spanId, span]));
    const parent = (span: OtlpSpan) => byId.get(span.parentSpanId);
    const message = spans.find((s) => s.name === 'room.room.play' && s.attributes['local.id'] === 'connector-1')!;
    const remote = spans.find((s) => s.name === 'room.scores.add')!;
    // the remote's span, up its parents to the client message's: callee, call, handler, forward, message
    const chain = [remote];
    while (parent(chain.at(-1)!)) chain.push(parent(chain.at(-1)!)!);
    expect(chain.map((span) => [span.name, span.kind])).toEqual([
      ['room.scores.add', 2],
      ['Memory RPC Call', 3],
      ['room.room.play', 2],
      ['Memory RPC Call', 3],
      ['room.room.play', 2],
    ]);
    expect(chain.at(-1)).toBe(message);
    expect(message.parentSpanId).toBe('');
    expect(new Set(chain.map((span) => span.traceId)).size).toBe(1);
    // the servers' spans carry the request's id, the RPC client spans do not (as in Pitaya)
    const requestId = message.attributes['request.id'];
    expect(chain.map((span) => span.attributes['request.id'])).toEqual([
      requestId,
      undefined,
      requestId,
      undefined,
      requestId,
    ]);
    expect(new Set(spans.map((span) => span.service))).toEqual(new Set(['pitaya-game']));
    expect(new Set(chain.map((span) => span.scope))).toEqual(new Set(['pitaya']));
  });
});
