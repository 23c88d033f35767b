export { natsRpcModule } from './nats-rpc.module';
export { NatsRpcClient, type NatsRpcClientOptions } from './nats-rpc-client';
export { NatsRpcServer, type NatsRpcServerOptions } from './nats-rpc-server';
export { subjects } from './subjects';
