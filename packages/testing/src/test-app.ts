import { connect, type ClientOptions, type PitayaClient } from '@pitaya-ts/client';
import {
  bootstrap,
  TcpAcceptor,
  WsAcceptor,
  type BootstrapOptions,
  type ConfigSchema,
  type NoAppKeys,
  type PitayaApp,
} from '@pitaya-ts/core';

export type TestAppOptions<A extends ConfigSchema = NoAppKeys> = Omit<
  BootstrapOptions<A>,
  'serverType' | 'acceptors' | 'handleSignals'
> & {
  /** `game` by default: routes are `game.<handler>.<method>`. */
  serverType?: string;
  /** Runs between bootstrap and start: rebind tokens (`app.container.rebind(...)`), add session callbacks. */
  beforeStart?: (app: PitayaApp<A>) => void | Promise<void>;
};

export type Transport = 'ws' | 'tcp';

export interface TestApp<A extends ConfigSchema = NoAppKeys> {
  /** The started server. */
  app: PitayaApp<A>;
  /** Where a client connects: `ws://127.0.0.1:<port>` or `tcp://127.0.0.1:<port>`. */
  url(transport?: Transport): string;
  /** A client connected (handshake done) to the server; closed by `stop()`. */
  client(transport?: Transport, options?: ClientOptions): Promise<PitayaClient>;
  /** Closes the clients, then stops the server. */
  stop(): Promise<void>;
}

/**
 * A server started for a test: WebSocket and TCP acceptors on free loopback ports, logs silent
 * (unless `config` sets `pitaya.log.level`), no signal handlers, and `PITAYA_*` env vars ignored
 * (pass `env` to read some), so a test depends on nothing of the machine it runs on.
 */
export async function createTestApp<A extends ConfigSchema = NoAppKeys>(
  options: TestAppOptions<A> = {},
): Promise<TestApp<A>> {
  const { beforeStart, serverType = 'game', ...rest } = options;
  const ws = new WsAcceptor({ host: '127.0.0.1', port: 0 });
  const tcp = new TcpAcceptor({ host: '127.0.0.1', port: 0 });
  const app = await bootstrap<A>({
    env: {},
    ...rest,
    serverType,
    acceptors: [ws, tcp],
    handleSignals: false,
    config: { 'pitaya.log.level': 'silent', ...rest.config },
  });
  const clients: PitayaClient[] = [];
  try {
    await beforeStart?.(app);
    await app.start();
  } catch (err) {
    await app.stop();
    throw err;
  }

  const url = (transport: Transport = 'ws') => {
    const address = (transport === 'ws' ? ws : tcp).address();
    if (!address) throw new Error(`the ${transport} acceptor is not listening`);
    return `${transport}://127.0.0.1:${address.port}`;
  };
  return {
    app,
    url,
    async client(transport?: Transport, clientOptions?: ClientOptions) {
      const client = await connect(url(transport), clientOptions);
      clients.push(client);
      return client;
    },
    async stop() {
      await Promise.all(clients.splice(0).map((client) => client.close()));
      await app.stop();
    },
  };
}
