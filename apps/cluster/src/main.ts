#!/usr/bin/env node
import 'reflect-metadata';
import { Command, Option } from 'commander';
import { createClusterServer, type GroupStore, type RpcTransport, type ServerKind } from './cluster-server';

const program = new Command()
  .name('cluster')
  .description('pitaya-ts cluster demo: a connector frontend or a room backend, on NATS, etcd and Redis')
  .addOption(new Option('--type <type>', 'server type').choices(['connector', 'room']).makeOptionMandatory())
  .option('--id <id>', 'server id (unique in the cluster)')
  .option('--host <host>', 'connector: address to listen on', '127.0.0.1')
  .option('--port <port>', 'connector: WebSocket port', '3250')
  .option('--tcp-port <port>', 'connector: TCP port', '3251')
  .addOption(
    new Option('--rpc <transport>', "RPC between servers (grpc keeps the users' bindings in etcd)")
      .choices(['nats', 'grpc'])
      .default('nats'),
  )
  .addOption(
    new Option('--groups <store>', "where rooms' groups live (etcd: seen by every server)")
      .choices(['memory', 'etcd'])
      .default('memory'),
  )
  .addHelpText(
    'after',
    '\nNATS and etcd come from PITAYA_CLUSTER_RPC_CLIENT_NATS_CONNECT, PITAYA_CLUSTER_RPC_SERVER_NATS_CONNECT,\n' +
      'PITAYA_CLUSTER_SD_ETCD_ENDPOINTS and PITAYA_CLUSTER_SD_ETCD_PREFIX, the reliable RPC queue from\n' +
      'PITAYA_WORKER_REDIS_URL (defaults: localhost). With --rpc grpc: the port from\n' +
      "PITAYA_CLUSTER_RPC_SERVER_GRPC_PORT (3434, one per server on a host), the bindings' etcd from\n" +
      'PITAYA_MODULES_BINDINGSTORAGE_ETCD_ENDPOINTS; with --groups etcd, from PITAYA_GROUPS_ETCD_ENDPOINTS.',
  )
  .parse();

const opts = program.opts<{
  type: ServerKind;
  id?: string;
  host: string;
  port: string;
  tcpPort: string;
  rpc: RpcTransport;
  groups: GroupStore;
}>();

createClusterServer({
  type: opts.type,
  id: opts.id,
  host: opts.host,
  port: Number(opts.port),
  tcpPort: Number(opts.tcpPort),
  rpc: opts.rpc,
  groups: opts.groups,
})
  .then((app) => app.start())
  .catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
