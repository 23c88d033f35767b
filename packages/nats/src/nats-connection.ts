import { connect, type NatsConnection } from '@nats-io/transport-node';
import { errorMessage, type Logger } from '@pitaya-ts/core';

export interface NatsConnectionOptions {
  url: string;
  name: string;
  connectTimeoutMs: number;
  maxReconnectAttempts: number;
  logger: Logger;
  /** Called when the connection drops (before it reconnects). */
  onDisconnect?: () => void;
  /** Called once it is back (its subscriptions renewed). */
  onReconnect?: () => void;
  /** An error the server sent (a permission violation...). */
  onServerError?: (error: Error) => void;
}

/** Connects and logs the connection's life; a connection that gives up reconnecting is reported. */
export async function connectNats(options: NatsConnectionOptions): Promise<NatsConnection> {
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: options.url.split(',').map((s) => s.trim()),
      name: options.name,
      timeout: options.connectTimeoutMs,
      maxReconnectAttempts: options.maxReconnectAttempts,
      reconnectTimeWait: 250,
      // no stack captured for every request (two Error objects each): the errors are reported by
      // their message, and the capture cost more than the rest of a forwarded request on a frontend
      noAsyncTraces: true,
    });
  } catch (err) {
    // the client's own message (CONNECTION_REFUSED...) names neither NATS nor where it looked
    throw new Error(`cannot connect to NATS at ${options.url}: ${errorMessage(err)}`, { cause: err });
  }
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') {
        options.logger.warn({ server: status.server }, 'NATS connection lost');
        options.onDisconnect?.();
      } else if (status.type === 'reconnect') {
        options.logger.info({ server: status.server }, 'NATS connection back');
        options.onReconnect?.();
      } else if (status.type === 'error') {
        options.onServerError?.(status.error);
      }
    }
  })();
  void nc.closed().then((err) => {
    if (err) options.logger.error({ err }, 'NATS connection closed for good');
  });
  return nc;
}
