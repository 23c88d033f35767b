// pinus's game server for the bench, started by bench/pinus.mjs: the master, which starts the
// servers of config/servers.json as processes of this same file. bench/pinus.mjs writes the
// configuration into a folder of the run's own, BENCH_PINUS_BASE, whose app/ is this one's. The
// connector's hybrid connector takes WebSocket and TCP clients on one port; `room` is a backend
// that the connector forwards `room.*` requests to over pinus-rpc.
// pinus's loader reads decorator metadata: the polyfill first, as pinus's own template does
import 'reflect-metadata';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import pinusPackage from 'pinus';

const { pinus } = pinusPackage;
const app = pinus.createApp({ base: process.env.BENCH_PINUS_BASE ?? dirname(fileURLToPath(import.meta.url)) });
app.set('name', 'bench');
app.configure('production', 'connector', () =>
  // no heartbeat (the load clients send none), no route dictionary or protobuf: JSON bodies as
  // sent; clients on clientHost (loopback) only
  app.set('connectorConfig', {
    connector: pinus.connectors.hybridconnector,
    useDict: false,
    useProtobuf: false,
    distinctHost: true,
  }),
);
app.start();
