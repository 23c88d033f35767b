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
import { PendingWrites } from '../src/net/pending-writes';
import { WriteCoalescer } from '../src/net/write-coalescer';
import { Harness, RawClient, tcpAcceptor, waitFor } from './helpers';

const harness = new Harness();
afterEach(() => harness.cleanup());
afterEach(() => RawClient.destroyAll());

let release: () => void = () => undefined;

@Handler()
class EchoHandler {
  echo(body: unknown): unknown {
    return body;
  }

  /** Answers once the test lets it. */
  async held(): Promise<string> {
    await new Promise<void>((resolve) => (release = resolve));
    return 'released';
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
  it('sends the answers to the requests of one read in one socket write, at the end of the read', async () => {
    const log = new CallLog();
    const raw = await handshaken(log);
    const writes = jest.spyOn(net.Socket.prototype, 'write');
    // three pipelined requests in one write: one read on the server
    raw.send(Buffer.concat([1, 2, 3].map((id) => request('game.echo.echo', id))));
    await waitFor(() => raw.data().length === 3, 'the three answers');
    const byServer = writes.mock.contexts.filter(
      (socket) => (socket as net.Socket).remotePort === raw.socket.localPort,
    );
    writes.mockRestore();
    expect(byServer.length).toBe(1);
    // each answer, handled at once, asked for its flush: the connection held them to the read's end
    expect(log.calls).toEqual(['write', 'flush', 'write', 'flush', 'write', 'flush']);
  });

  it("sends a read's answers at the end of the turn when another of its messages is still being handled", async () => {
    const log = new CallLog();
    const raw = await handshaken(log);
    raw.send(Buffer.concat([request('game.echo.echo', 1), request('game.echo.held', 2)]));
    // the first answer does not wait for the second
    await waitFor(() => raw.data().length === 1, 'the first answer');
    release();
    await waitFor(() => raw.data().length === 2, 'the second answer');
  });

  it('keeps a push and the answer of the same request together', async () => {
    const log = new CallLog();
    const raw = await handshaken(log);
    raw.send(request('game.echo.pushThenAnswer', 1));
    await waitFor(() => raw.data().length === 2, 'the push and the answer');
    expect(log.calls).toEqual(['write', 'write', 'flush']);
  });
});

/** A connected pair of loopback sockets; `received()` is what the server side has read. */
async function socketPair(): Promise<{ socket: net.Socket; received: () => Buffer; close: () => void }> {
  const chunks: Buffer[] = [];
  const server = net.createServer((peer) => peer.on('data', (chunk: Buffer) => chunks.push(chunk)));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const socket = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  await once(socket, 'connect');
  return {
    socket,
    received: () => Buffer.concat(chunks),
    close: () => {
      socket.destroy();
      server.close();
    },
  };
}

describe('PendingWrites', () => {
  it("sends a connection's held packets in one socket write, each in its WebSocket frame", async () => {
    const pair = await socketPair();
    try {
      const framing = {
        size: () => 2,
        write: (target: Buffer, offset: number, length: number) => {
          target[offset] = 0x82;
          target[offset + 1] = length;
          return offset + 2;
        },
      };
      const pending = new PendingWrites(pair.socket, framing);
      const write = jest.spyOn(pair.socket, 'write');
      expect(pending.add(Buffer.from('one'))).toBe(true); // the first: its holder sees it flushed
      expect(pending.add(Buffer.from('two!'))).toBe(false);
      expect(write).not.toHaveBeenCalled();
      pending.flush();
      expect(write).toHaveBeenCalledTimes(1);
      const expected = Buffer.from([0x82, 3, ...Buffer.from('one'), 0x82, 4, ...Buffer.from('two!')]);
      await waitFor(() => pair.received().length === expected.length, 'the two frames');
      expect(pair.received()).toEqual(expected);
      pending.flush(); // nothing held: nothing written
      expect(write).toHaveBeenCalledTimes(1);
    } finally {
      pair.close();
    }
  });

  it("is full at the socket's high-water mark, and says when a flush made room that no 'drain' will announce", async () => {
    const pair = await socketPair();
    try {
      const pending = new PendingWrites(pair.socket);
      const half = Buffer.alloc(pair.socket.writableHighWaterMark / 2);
      pending.add(half);
      expect(pending.full).toBe(false);
      pending.add(half);
      expect(pending.full).toBe(true);
      // a fresh loopback socket takes 16 KiB at once: its writers waited, and must hear of it from the flush
      expect(pending.flush()).toBe(true);
      expect(pair.socket.writableNeedDrain).toBe(false);
      expect(pending.full).toBe(false);
      pending.add(half);
      expect(pending.flush()).toBe(false); // was not full: nobody waits
    } finally {
      pair.close();
    }
  });
});

describe('PendingWrites while a read is delivered', () => {
  it("holds a flush to the read's end, and says what the end leaves held for the end of the turn", async () => {
    const pair = await socketPair();
    try {
      const pending = new PendingWrites(pair.socket);
      const write = jest.spyOn(pair.socket, 'write');
      pending.readStarts();
      // the read's end will flush or hand it on: no end-of-turn flush is needed for it
      expect(pending.add(Buffer.from('one'))).toBe(false);
      expect(pending.flushSoon()).toBe(false);
      expect(write).not.toHaveBeenCalled(); // the read's other answers may still come
      expect(pending.add(Buffer.from('two'))).toBe(false);
      pending.readEnds();
      expect(write).toHaveBeenCalledTimes(1);
      expect(pending.holding).toBe(false);
      // a packet while a read is delivered, and no flush asked for (an answer still awaited)
      pending.readStarts();
      pending.add(Buffer.from('three'));
      pending.readEnds();
      expect(write).toHaveBeenCalledTimes(1);
      expect(pending.holding).toBe(true); // the connection hands it to the end of the turn
      pending.flush();
      await waitFor(() => pair.received().toString() === 'onetwothree', 'the bytes');
      // outside a read, the first packet held is for the end of the turn again
      expect(pending.add(Buffer.from('four'))).toBe(true);
      expect(pending.flushSoon()).toBe(false); // written at once: nothing was full
      expect(write).toHaveBeenCalledTimes(3);
    } finally {
      pair.close();
    }
  });
});

describe('WriteCoalescer', () => {
  it('flushes what it holds at the end of the turn', async () => {
    const coalescer = new WriteCoalescer();
    const flushed: string[] = [];
    coalescer.hold({ flushHeld: () => flushed.push('a') });
    coalescer.hold({ flushHeld: () => flushed.push('b') });
    expect(flushed).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(flushed).toEqual(['a', 'b']);
  });
});
