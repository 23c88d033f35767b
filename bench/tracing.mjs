// Section 10 (BENCH_ONLY=tracing): what tracing costs on the forwarded path (client -> connector ->
// NATS -> room -> back). Four connector + room pairs, each on its own etcd prefix, loaded in
// alternating slices: without @pitaya-ts/tracing, with it but off, on sampling every request, and on
// sampling 1% (the sampling decided at the connector, the room following it). The spans go over
// OTLP/HTTP to a collector this process runs on loopback, which reads and drops them.
import * as http from 'node:http';
import { fmt } from './format.mjs';
import { FORWARD_ROUTE } from './routes.mjs';

const MODES = [
  { name: 'none', label: 'no tracing module' },
  { name: 'off', label: 'module, tracing off', tracing: { enabled: false } },
  { name: 'on 100%', label: 'on, every request sampled', tracing: { enabled: true, ratio: 1 } },
  { name: 'on 1%', label: 'on, 1% sampled', tracing: { enabled: true, ratio: 0.01 } },
];

/** An OTLP/HTTP receiver that counts what it is sent. */
async function collector() {
  const received = { requests: 0, bytes: 0 };
  const server = http.createServer((req, res) => {
    req.on('data', (chunk) => (received.bytes += chunk.length));
    req.on('end', () => {
      received.requests++;
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${server.address().port}`, received, close: () => server.close() };
}

/**
 * `withForwardServers(names, fn, options)` starts a connector and a room with extra `options`
 * (bench/forward-server.mjs reads `tracing`); `pairs(a, b)` formats per-slice ratios.
 */
export async function tracingSection(
  load,
  withForwardServers,
  { clients, warmupMs, sliceMs, slices, natsPid, pairs, forwardCpu },
) {
  console.log(
    '\n10. tracing on the forwarded path (client -> connector -> NATS -> room -> back), ' +
      `${clients} clients, OTLP/HTTP export to a collector on loopback\n` +
      `   ${warmupMs / 1000} s warm-up each, then ${slices} slices of ${sliceMs / 1000} s on each in turn; ratios to "none"`,
  );
  const otlp = await collector();
  try {
    const started = [];
    const startAll = async () => {
      if (started.length === MODES.length) return run();
      const { tracing } = MODES[started.length];
      const options = tracing ? { tracing: { ...tracing, endpoint: otlp.endpoint } } : {};
      return withForwardServers(
        ['room', 'connector'],
        async (procs) => {
          started.push(procs);
          return startAll();
        },
        options,
      );
    };
    const run = () =>
      load.call(
        'echo',
        {
          servers: started.map((procs) => ({
            port: procs.connector.port,
            pids: { front: procs.connector.pid, back: procs.room.pid, nats: natsPid },
          })),
          clients,
          route: FORWARD_ROUTE,
          warmupMs,
          sliceMs,
          slices,
        },
        MODES.length * (warmupMs + 2 * slices * (sliceMs + 11_000)) + slices * 21_000 + 60_000,
      );
    const results = await startAll();
    const none = results[0];
    for (const [i, r] of results.entries()) {
      const mode = MODES[i];
      console.log(
        `  ${mode.name.padEnd(8)} ${fmt(r.rps).padStart(7)} req/s  p50 ${fmt(r.p50, 3).padStart(6)} ms  ` +
          `p99 ${fmt(r.p99, 3).padStart(7)} ms  ${forwardCpu(r)}${r.errors ? `  ERRORS ${r.errors}` : ''}  (${mode.label})`,
      );
    }
    console.log(
      `  => vs none: ${results
        .slice(1)
        .map((r, i) => `${MODES[i + 1].name} req/s ${pairs(r.rates, none.rates)}`)
        .join(', ')}`,
    );
    console.log(`  collector: ${fmt(otlp.received.requests)} exports, ${fmt(otlp.received.bytes / 1024)} KiB`);
  } finally {
    otlp.close();
  }
}
