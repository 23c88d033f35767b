// `npm run test:real`: the tests again, on a real nats-server and etcd (started on free loopback
// ports; both must be installed: apt-get install nats-server etcd-server, or brew install nats-server etcd).
import { spawnSync } from 'node:child_process';
import { startEtcdServer, startNatsServer } from '@pitaya-ts/testing';

const [nats, etcd] = await Promise.all([startNatsServer(), startEtcdServer()]);
let status;
try {
  const env = {
    ...process.env,
    PITAYA_CLUSTER_RPC_CLIENT_NATS_CONNECT: nats.url,
    PITAYA_CLUSTER_RPC_SERVER_NATS_CONNECT: nats.url,
    PITAYA_CLUSTER_SD_ETCD_ENDPOINTS: etcd.endpoint,
    PITAYA_CLUSTER_SD_ETCD_SHUTDOWN_DELAY: '0ms',
  };
  // each test file a cluster of its own: one at a time, so they do not see each other in etcd
  const jest = spawnSync('npx', ['jest', '--runInBand', ...process.argv.slice(2)], {
    env,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  status = jest.status ?? 1;
} finally {
  await Promise.all([nats.stop(), etcd.stop()]);
}
process.exit(status ?? 1);
