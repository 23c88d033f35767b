#!/usr/bin/env node
import 'reflect-metadata';
import { Command } from 'commander';
import { createChatServer } from './chat-server';

const program = new Command()
  .name('chat')
  .description('pitaya-ts standalone chat server')
  .option('--host <host>', 'address to listen on', '127.0.0.1')
  .option('--port <port>', 'WebSocket port', '3250')
  .option('--tcp-port <port>', 'TCP port', '3251')
  .option('--config <file>', 'a YAML or JSON configuration file')
  .parse();

const opts = program.opts<{ host: string; port: string; tcpPort: string; config?: string }>();

async function main(): Promise<void> {
  const app = await createChatServer({
    host: opts.host,
    wsPort: Number(opts.port),
    tcpPort: Number(opts.tcpPort),
    configFile: opts.config,
  });
  await app.start();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
