import 'reflect-metadata';
import * as net from 'node:net';
import {
  decodeMessage,
  encodeDataPacket,
  encodeHandshakeRequest,
  encodePacket,
  handshakeAckPacket,
  MessageType,
  PacketStreamDecoder,
  PacketType,
  type Packet,
} from '@pitaya-ts/protocol';
import { bootstrap, Handler, Request, TcpAcceptor, type HandlerContext } from '@pitaya-ts/core';
import { ProxyHeaderError, readProxyHeader } from '../src/net/proxy-protocol';

const v2 = (family: number, command: number, addresses: number[]) =>
  Buffer.from([
    ...[0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a],
    0x20 | command,
    (family << 4) | 1,
    addresses.length >> 8,
    addresses.length & 0xff,
    ...addresses,
  ]);

describe('PROXY protocol headers', () => {
  it('reads v1 TCP4, TCP6 and UNKNOWN, keeping the bytes after the header', () => {
    expect(readProxyHeader(Buffer.from('PROXY TCP4 203.0.113.7 10.0.0.1 51000 3251\r\n\x01'))).toEqual({
      source: '203.0.113.7:51000',
      rest: Buffer.from([1]),
    });
    expect(readProxyHeader(Buffer.from('PROXY TCP6 2001:db8::1 ::1 4000 3251\r\n'))?.source).toBe('[2001:db8::1]:4000');
    expect(readProxyHeader(Buffer.from('PROXY UNKNOWN\r\n'))?.source).toBeUndefined();
  });

  it('reads v2 IPv4 and LOCAL', () => {
    const ipv4 = v2(1, 1, [198, 51, 100, 9, 10, 0, 0, 1, 0xc3, 0x50, 0x0c, 0xb3]);
    expect(readProxyHeader(Buffer.concat([ipv4, Buffer.from([4])]))).toEqual({
      source: '198.51.100.9:50000',
      rest: Buffer.from([4]),
    });
    expect(readProxyHeader(v2(0, 0, []))?.source).toBeUndefined();
  });

  it('waits for a header split across reads, and refuses what is not a header', () => {
    expect(readProxyHeader(Buffer.from('PROXY TCP4 1.2'))).toBeUndefined();
    expect(readProxyHeader(v2(1, 1, [1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 0, 2]).subarray(0, 20))).toBeUndefined();
    expect(() => readProxyHeader(Buffer.from([0x01, 0x00, 0x00, 0x00]))).toThrow(ProxyHeaderError);
    expect(() => readProxyHeader(Buffer.from(`PROXY ${'x'.repeat(120)}`))).toThrow(ProxyHeaderError);
  });
});

@Handler('who')
class WhoHandler {
  @Request()
  async ami(_body: unknown, { session }: HandlerContext) {
    return { address: session.remoteAddress };
  }
}

/** Sends a PROXY header in two pieces, then handshakes and asks the server who the client is. */
async function askBehindProxy(port: number, header: Buffer): Promise<unknown> {
  const socket = net.connect(port, '127.0.0.1');
  const decoder = new PacketStreamDecoder();
  const packets: Packet[] = [];
  let wake: () => void = () => undefined;
  socket.on('data', (chunk) => {
    packets.push(...decoder.push(chunk));
    wake();
  });
  const next = async (type: number) => {
    for (;;) {
      const i = packets.findIndex((p) => p.type === type);
      if (i >= 0) return packets.splice(i, 1)[0]!;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  };
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(header.subarray(0, 10));
  // a pause, not a wait for anything: the header very likely reaches the server in two reads
  await new Promise((resolve) => setTimeout(resolve, 20));
  socket.write(
    Buffer.concat([
      header.subarray(10),
      encodePacket(PacketType.Handshake, encodeHandshakeRequest({ sys: { platform: 'test', libVersion: '1' } })),
    ]),
  );
  await next(PacketType.Handshake);
  socket.write(handshakeAckPacket());
  socket.write(
    encodeDataPacket({ type: MessageType.Request, id: 1, route: 'who.who.ami', body: Buffer.from('{}'), error: false }),
  );
  const answer = decodeMessage((await next(PacketType.Data)).body);
  socket.destroy();
  return JSON.parse(Buffer.from(answer.body).toString());
}

describe('a TCP acceptor behind a proxy (pitaya.acceptor.proxyprotocol)', () => {
  it("gives sessions the client's address from the header, v1 and v2", async () => {
    const app = await bootstrap({
      serverType: 'who',
      handlers: [WhoHandler],
      acceptors: [new TcpAcceptor({ host: '127.0.0.1', port: 0 })],
      config: { 'pitaya.log.level': 'silent', 'pitaya.acceptor.proxyprotocol': true },
      handleSignals: false,
    });
    await app.start();
    const port = app.acceptors[0]!.address()!.port;
    await expect(askBehindProxy(port, Buffer.from('PROXY TCP4 203.0.113.7 10.0.0.1 51000 3251\r\n'))).resolves.toEqual({
      address: '203.0.113.7:51000',
    });
    await expect(
      askBehindProxy(port, v2(1, 1, [198, 51, 100, 9, 10, 0, 0, 1, 0xc3, 0x50, 0x0c, 0xb3])),
    ).resolves.toEqual({
      address: '198.51.100.9:50000',
    });
    // a connection without the header is dropped
    const direct = net.connect(port, '127.0.0.1');
    direct.write(encodePacket(PacketType.Handshake, encodeHandshakeRequest({ sys: {} })));
    await expect(new Promise((resolve) => direct.once('close', () => resolve('closed')))).resolves.toBe('closed');
    await app.stop();
  });
});
