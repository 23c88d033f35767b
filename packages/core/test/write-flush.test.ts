import 'reflect-metadata';
import net from 'node:net';
import { once } from 'node:events';
import { encodeDataPacket, MessageType, type Packet } from '@pitaya-ts/protocol';
import {
  AcceptorWrapper,
  Handler,
  WrappedConnection,
  type Acceptor,
  type ConnectionHandlers,
  type PlayerConnection,
  type HandlerContext,
} from '@pitaya-ts/core';
import { WriteCoalescer } from '../src/net/write-coalescer';
import { Harness, RawClient, tcpAcceptor, waitFor } from './helpers';

const harness = new Harness();
afterEach(() => harness.cleanup());
afterEach(() => RawClient.destroyAll());

@Handler()
class EchoHandler {
  echo(body: unknown): unknown {
    return body;
  }

  async pushThenAnswer(_body: unknown, ctx: HandlerContext): Promise<string> {
    await ctx.session.push('onNews', { news: 1 });
    return 'answered';
  }
}

/** What the agent did to its connection, in order: `write` and `flush`. */
class CallLog {
  calls: string[] = [];

  wrap(acceptor: Acceptor): Acceptor {
    return new LoggingAcceptor(acceptor, this);
  }
}

class LoggingConnection extends WrappedConnection {
  constructor(
    inner: PlayerConnection,
    private readonly log: CallLog,
  ) {
    super(inner);
  }

  protected onPacket(packet: Packet, handlers: ConnectionHandlers): void {
    handlers.onPacket(packet);
  }

  override write(packet: Uint8Array): void {
    this.log.calls.push('write');
    super.write(packet);
  }

  override flush(): void {
    this.log.calls.push('flush');
    super.flush();
  }
}

class LoggingAcceptor extends AcceptorWrapper {
  constructor(
    inner: Acceptor,
    private readonly log: CallLog,
  ) {
    super(inner);
  }

  protected wrap(connection: PlayerConnection): PlayerConnection {
    return new LoggingConnection(connection, this.log);
  }
}

const request = (route: string, id: number) =>
  encodeDataPacket({ type: MessageType.Request, id, route, body: new TextEncoder().encode('{}'), error: false });

async function handshaken(log: CallLog): Promise<RawClient> {
  const app = await harness.server({ handlers: [EchoHandler], acceptors: [log.wrap(tcpAcceptor())] });
  const raw = await RawClient.open(app);
  await raw.handshake();
  log.calls = [];
  return raw;
}

describe('when answers are written out', () => {
  it('flushes once every message of a read is answered, not after each answer', async () => {
    const log = new CallLog();
    const raw = await handshaken(log);
    // three pipelined requests in one write: one read on the server
    raw.send(Buffer.concat([1, 2, 3].map((id) => request('game.echo.echo', id))));
    await waitFor(() => raw.data().length === 3, 'the three answers');
    expect(log.calls).toEqual(['write', 'write', 'write', 'flush']);
  });

  it('keeps a push and the answer of the same request together', async () => {
    const log = new CallLog();
    const raw = await handshaken(log);
    raw.send(request('game.echo.pushThenAnswer', 1));
    await waitFor(() => raw.data().length === 2, 'the push and the answer');
    expect(log.calls).toEqual(['write', 'write', 'flush']);
  });
});

describe('WriteCoalescer', () => {
  it('uncorks a released socket at once, and corks it again on the next write', async () => {
    const server = net.createServer((socket) => socket.resume());
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const socket = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
    try {
      await once(socket, 'connect');
      const coalescer = new WriteCoalescer();
      coalescer.hold(socket);
      expect(socket.writableCorked).toBe(1);
      coalescer.release(socket);
      expect(socket.writableCorked).toBe(0);
      coalescer.release(socket); // released already: nothing to undo
      expect(socket.writableCorked).toBe(0);
      coalescer.hold(socket);
      expect(socket.writableCorked).toBe(1);
      // what is still held goes at the end of the turn
      await new Promise((resolve) => setImmediate(resolve));
      expect(socket.writableCorked).toBe(0);
    } finally {
      socket.destroy();
      server.close();
    }
  });
});
