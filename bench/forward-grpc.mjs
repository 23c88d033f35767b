// Section 4b of `npm run bench`: the forwarded path with RPC over gRPC beside the same path over
// NATS, with the same load client and shapes as section 4: client -> connector (WebSocket) -> RPC
// -> room backend -> back. Both pairs of servers run at once, under etcd prefixes of their own, and
// are loaded in turn slice by slice, so that the machine's noise weighs on both alike.
import { fmt, median } from './format.mjs';
import { FORWARD_ROUTE } from './routes.mjs';

const ratio = (a, b) => `${fmt(a / b, 2)}x`;
const pairs = (a, b) => {
  const ratios = a.map((x, i) => x / b[i]);
  return `${fmt(median(ratios), 2)}x (pairs ${fmt(Math.min(...ratios), 2)}-${fmt(Math.max(...ratios), 2)})`;
};
const cpu = (r) =>
  `cpu: front ${fmt(r.frontCpu).padStart(3)}%  back ${fmt(r.backCpu).padStart(3)}%  nats ${fmt(r.natsCpu).padStart(3)}%  ` +
  `load ${fmt(r.loadCpu).padStart(3)}%` +
  (r.loadCpu > 90 ? '  (load generator near its limit)' : '');

/**
 * `withServers(names, fn)` starts bench/forward-server.mjs processes by kind (section 4's helper);
 * `load` is the load generator; `shapes` the client counts; `timing` the warm-up and slices.
 */
export async function forwardGrpcSection({ load, infra, withServers, shapes, timing }) {
  const { warmupSeconds, sliceSeconds, slices } = timing;
  console.log(
    '\n4b. forwarded request/response over gRPC: client -> connector (WebSocket) -> gRPC -> room backend -> back\n' +
      '   beside the same servers over NATS (section 4), same client and shapes; ' +
      `${warmupSeconds} s warm-up each, then ${slices} slices of ${sliceSeconds} s on each in turn`,
  );
  for (const clients of shapes) {
    const [nats, grpc] = await withServers(['room', 'connector', 'room-grpc', 'connector-grpc'], async (procs) => {
      await procs['connector-grpc'].call('sees', { type: 'room', count: 1 }, 40_000);
      const system = (front, back) => ({
        port: procs[front].port,
        pids: { front: procs[front].pid, back: procs[back].pid, nats: infra.nats.pid },
      });
      return load.call(
        'echo',
        {
          servers: [system('connector', 'room'), system('connector-grpc', 'room-grpc')],
          clients,
          route: FORWARD_ROUTE,
          warmupMs: warmupSeconds * 1000,
          sliceMs: sliceSeconds * 1000,
          slices,
        },
        (2 * warmupSeconds + 4 * slices * (sliceSeconds + 11) + slices * 21) * 1000 + 60_000,
      );
    });
    for (const [kind, r] of [
      ['nats', nats],
      ['grpc', grpc],
    ]) {
      console.log(
        `  ${String(clients).padStart(4)} clients  ${kind.padEnd(6)} ${fmt(r.rps).padStart(7)} req/s  ` +
          `p50 ${fmt(r.p50, 3).padStart(6)} ms  p99 ${fmt(r.p99, 3).padStart(7)} ms  ${cpu(r)}` +
          `${r.errors ? `  ERRORS ${r.errors}` : ''}`,
      );
    }
    console.log(
      `  => grpc/nats: req/s ${pairs(grpc.rates, nats.rates)}  p50 ${ratio(grpc.p50, nats.p50)}  ` +
        `p99 ${ratio(grpc.p99, nats.p99)}`,
    );
  }
}
