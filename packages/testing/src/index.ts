export { freePort } from './free-port';
export { ManagedProcess, type ProcessSpec } from './managed-process';
export { NatsServer, startNatsServer } from './nats-server';
export { EtcdServer, startEtcdServer } from './etcd-server';
export { RedisServer, startRedisServer } from './redis-server';
