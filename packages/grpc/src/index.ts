export { grpcRpcModule } from './grpc-rpc.module';
export { GrpcRpcClient, type GrpcRpcClientOptions } from './grpc-rpc-client';
export { GrpcRpcServer, type GrpcRpcServerOptions } from './grpc-rpc-server';
export { grpcAddress, GrpcMetadata } from './grpc-address';
export { PITAYA_SERVICE } from './pitaya-service';
