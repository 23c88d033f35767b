#!/usr/bin/env node
import 'reflect-metadata';
import { Command, Option } from 'commander';
import { createClusterServer, type ServerKind } from './cluster-server';

const program = new Command()
  .name('cluster')
  .description('pitaya-ts cluster demo: a connector frontend or a room backend, on NATS, etcd and Redis')
  .addOption(new Option('--type <type>', 'server type').choices(['connector', 'room']).makeOptionMandatory())
  .option('--id <id>', 'server id (unique in the cluster)')
  .option('--host <host>', 'connector: address to listen on', '127.0.0.1')
  .option('--port <port>', 'connector: WebSocket port', '3250')
  .option('--tcp-port <port>', 'connector: TCP port', '3251')
  .addHelpText(
    'after',
    '\nNATS and etcd come from PITAYA_CLUSTER_RPC_CLIENT_NATS_CONNECT, PITAYA_CLUSTER_RPC_SERVER_NATS_CONNECT,\n' +
      'PITAYA_CLUSTER_SD_ETCD_ENDPOINTS and PITAYA_CLUSTER_SD_ETCD_PREFIX, the reliable RPC queue from\n' +
      'PITAYA_WORKER_REDIS_URL (defaults: localhost).',
  )
  .parse();

const opts = program.opts<{ type: ServerKind; id?: string; host: string; port: string; tcpPort: string }>();

createClusterServer({
  type: opts.type,
  id: opts.id,
  host: opts.host,
  port: Number(opts.port),
  tcpPort: Number(opts.tcpPort),
})
  .then((app) => app.start())
  .catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
