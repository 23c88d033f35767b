import { Etcd3, type IOptions } from 'etcd3';

type Backoff = NonNullable<NonNullable<IOptions['faultHandling']>['watchBackoff']>;

/**
 * Delays between the etcd client's attempts to watch again: doubling from 100 ms to 400 ms. A
 * timer of these still pending when the client closes keeps the process alive until it fires (the
 * client's default grows to 30 s): with short ones, a stopped server's process can end at once.
 */
const watchBackoff = (ms = 100): Backoff => ({ duration: ms, next: () => watchBackoff(Math.min(2 * ms, 400)) });

export interface EtcdClientOptions {
  endpoints: string[];
  user?: string;
  pass?: string;
  dialTimeoutMs: number;
  /** Deadline of each request (streams, watches and keep-alives excepted), ms; none when absent. */
  requestTimeoutMs?: number;
}

/** An etcd client on Pitaya's endpoint list (`host:port`, scheme optional). */
export function etcdClient(options: EtcdClientOptions): Etcd3 {
  const { endpoints, user, pass, dialTimeoutMs, requestTimeoutMs } = options;
  return new Etcd3({
    hosts: endpoints.map((e) => (/^https?:\/\//.test(e) ? e : `http://${e}`)),
    auth: user ? { username: user, password: pass ?? '' } : undefined,
    dialTimeout: dialTimeoutMs,
    faultHandling: { watchBackoff: watchBackoff() },
    defaultCallOptions: requestTimeoutMs
      ? (context) => (context.isStream ? {} : { deadline: Date.now() + requestTimeoutMs })
      : undefined,
  });
}
