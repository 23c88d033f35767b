import type { Packet } from '@pitaya-ts/protocol';
import type { Acceptor, AcceptorSettings, ConnectionHandlers, PlayerConnection } from './acceptor';

/**
 * A connection around another that sees each incoming packet before the server does (Pitaya's
 * acceptor wrappers): pass it on with `handlers.onPacket`, change it, or drop it.
 */
export abstract class WrappedConnection implements PlayerConnection {
  constructor(protected readonly inner: PlayerConnection) {}

  protected abstract onPacket(packet: Packet, handlers: ConnectionHandlers): void;

  get remoteAddress(): string {
    return this.inner.remoteAddress;
  }

  get needsDrain(): boolean {
    return this.inner.needsDrain;
  }

  setHandlers(handlers: ConnectionHandlers): void {
    // not `{ ...handlers }`: the handlers may be a class instance (the agent), methods on its prototype
    this.inner.setHandlers({
      onPacket: (packet) => this.onPacket(packet, handlers),
      onProtocolError: (error) => handlers.onProtocolError(error),
      onDropped: (reason) => handlers.onDropped?.(reason),
      onDrain: () => handlers.onDrain(),
      onClose: () => handlers.onClose(),
    });
  }

  write(packet: Uint8Array): void {
    this.inner.write(packet);
  }

  flush(): void {
    this.inner.flush();
  }

  pause(): void {
    this.inner.pause();
  }

  resume(): void {
    this.inner.resume();
  }

  close(): void {
    this.inner.close();
  }
}

/** An acceptor whose connections are wrapped (Pitaya's `WithWrappers`). */
export abstract class AcceptorWrapper implements Acceptor {
  constructor(readonly inner: Acceptor) {}

  protected abstract wrap(connection: PlayerConnection, settings: AcceptorSettings): PlayerConnection;

  get protocol(): string {
    return this.inner.protocol;
  }

  listen(onConnection: (connection: PlayerConnection) => void, settings: AcceptorSettings): Promise<void> {
    return this.inner.listen((connection) => onConnection(this.wrap(connection, settings)), settings);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  address(): { host: string; port: number } | undefined {
    return this.inner.address();
  }

  get hostDefaulted(): boolean | undefined {
    return this.inner.hostDefaulted;
  }
}
