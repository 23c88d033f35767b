import { PacketType, type Packet } from '@pitaya-ts/protocol';
import { ClientError, PitayaError, type PitayaClient } from '@pitaya-ts/client';
import {
  AcceptorWrapper,
  WrappedConnection,
  type Acceptor,
  type ConnectionHandlers,
  type PlayerConnection,
} from '@pitaya-ts/core';

/** Counts the requests and notifies the server read off its connections, before it handles them. */
export class ReadCounter {
  read = 0;

  /** The acceptor, counting. */
  wrap(acceptor: Acceptor): Acceptor {
    return new CountingAcceptor(acceptor, this);
  }
}

class CountingConnection extends WrappedConnection {
  constructor(
    inner: PlayerConnection,
    private readonly counter: ReadCounter,
  ) {
    super(inner);
  }

  protected onPacket(packet: Packet, handlers: ConnectionHandlers): void {
    if (packet.type === PacketType.Data) this.counter.read++;
    handlers.onPacket(packet);
  }
}

class CountingAcceptor extends AcceptorWrapper {
  constructor(
    inner: Acceptor,
    private readonly counter: ReadCounter,
  ) {
    super(inner);
  }

  protected wrap(connection: PlayerConnection): PlayerConnection {
    return new CountingConnection(connection, this.counter);
  }
}

/**
 * Clients in a closed request loop: each sends a request, and the next once it has its answer,
 * until its connection goes away or `stop()`. Every request ends in exactly one of the counters.
 */
export class RequestLoops {
  sent = 0;
  answered = 0;
  /** Error answers from the server, by code. */
  readonly errors: Record<string, number> = {};
  /** Requests in flight when the connection closed (the client's DISCONNECTED). */
  cutOff = 0;
  /** Anything else: client timeouts above all, which mean a request went unanswered. */
  readonly failures: string[] = [];
  /** Resolves once every loop has ended. */
  readonly done: Promise<void>;
  private stopped = false;

  constructor(
    clients: PitayaClient[],
    private readonly route: string,
    private readonly body: unknown = {},
    private readonly timeoutMs = 30_000,
  ) {
    this.done = Promise.all(clients.map((client) => this.loop(client))).then(() => undefined);
  }

  /** Each client ends its loop once its request in flight settles. */
  stop(): Promise<void> {
    this.stopped = true;
    return this.done;
  }

  get errored(): number {
    return Object.values(this.errors).reduce((sum, n) => sum + n, 0);
  }

  /** Requests sent and not yet settled. */
  get inFlight(): number {
    return this.sent - this.answered - this.errored - this.cutOff - this.failures.length;
  }

  private async loop(client: PitayaClient): Promise<void> {
    for (;;) {
      if (this.stopped || !client.connected) return;
      this.sent++;
      try {
        await client.request(this.route, this.body, { timeout: this.timeoutMs });
        this.answered++;
      } catch (err) {
        if (err instanceof PitayaError) {
          this.errors[err.code] = (this.errors[err.code] ?? 0) + 1;
        } else if (err instanceof ClientError && err.code === 'DISCONNECTED') {
          this.cutOff++;
          return;
        } else if (err instanceof ClientError && err.code === 'NOT_CONNECTED') {
          this.sent--; // closed between two requests: this one never left
          return;
        } else {
          this.failures.push(`${(err as Error).name} ${(err as ClientError).code ?? ''}: ${(err as Error).message}`);
          return;
        }
      }
    }
  }
}
