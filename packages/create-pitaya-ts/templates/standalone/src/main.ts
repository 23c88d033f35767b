import 'reflect-metadata';
import { bootstrap, TcpAcceptor, WsAcceptor } from '@pitaya-ts/core';
import { game } from './game';

// loopback unless told otherwise: the Dockerfile sets HOST=0.0.0.0
const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 3250);
const tcpPort = Number(process.env.TCP_PORT ?? 3251);

async function main(): Promise<void> {
  const app = await bootstrap({
    ...game,
    acceptors: [new WsAcceptor({ host, port }), new TcpAcceptor({ host, port: tcpPort })],
  });
  await app.start(); // SIGTERM and SIGINT stop it gracefully
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
