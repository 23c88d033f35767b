export { freePort } from './free-port';
export { waitFor } from './wait-for';
export { ManagedProcess, PortInUseError, startOnFreePorts } from './managed-process';
export { NatsServer, startNatsServer } from './nats-server';
export { EtcdServer, startEtcdServer } from './etcd-server';
export { RedisServer, startRedisServer } from './redis-server';
export { createTestApp, type TestApp, type TestAppOptions, type Transport } from './test-app';
