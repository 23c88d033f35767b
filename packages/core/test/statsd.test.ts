import 'reflect-metadata';
import * as dgram from 'node:dgram';
import { connect } from '@pitaya-ts/client';
import { bootstrap, Handler, Request, WsAcceptor } from '@pitaya-ts/core';
import { waitFor } from '@pitaya-ts/testing';

@Handler('echo')
class EchoHandler {
  @Request()
  async say(body: unknown) {
    return body;
  }
}

describe('statsd reporter', () => {
  it("sends Pitaya's metrics to statsd as DogStatsD lines with the game and serverType tags", async () => {
    const socket = dgram.createSocket('udp4');
    const lines: string[] = [];
    socket.on('message', (msg) => lines.push(...msg.toString().split('\n')));
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const { port } = socket.address();

    const app = await bootstrap({
      serverType: 'echo',
      handlers: [EchoHandler],
      acceptors: [new WsAcceptor({ host: '127.0.0.1', port: 0 })],
      config: {
        'pitaya.log.level': 'silent',
        'pitaya.game': 'tetris',
        'pitaya.metrics.statsd.enabled': true,
        'pitaya.metrics.statsd.host': `127.0.0.1:${port}`,
        'pitaya.metrics.constanttags': { region: 'eu' },
      },
      handleSignals: false,
    });
    await app.start();
    const client = await connect(`ws://127.0.0.1:${app.acceptors[0]!.address()!.port}`);
    await client.request('echo.echo.say', { hi: 1 });
    await waitFor(() => lines.some((l) => l.startsWith('pitaya.handler_response_time_ns:')), 'the timing');
    await client.close();
    await app.stop();
    socket.close();

    const timing = lines.find((l) => l.startsWith('pitaya.handler_response_time_ns:'))!;
    expect(timing).toMatch(/^pitaya\.handler_response_time_ns:[\d.]+\|ms\|#/);
    const tags = timing.split('|#')[1]!.split(',');
    expect(tags).toEqual(
      expect.arrayContaining([
        'game:tetris',
        'serverType:echo',
        'region:eu',
        'route:echo.echo.say',
        'status:ok',
        'type:request',
      ]),
    );
    expect(lines.some((l) => l.startsWith('pitaya.acceptor_connected_clients:1|g|#'))).toBe(true);
  });

  it('sends the process gauges at start and every pitaya.metrics.periodicmetrics.period', async () => {
    const socket = dgram.createSocket('udp4');
    const heap: string[] = [];
    socket.on('message', (msg) =>
      heap.push(
        ...msg
          .toString()
          .split('\n')
          .filter((line) => line.startsWith('pitaya.sys_heapsize:')),
      ),
    );
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const { port } = socket.address();
    const app = await bootstrap({
      serverType: 'echo',
      config: {
        'pitaya.log.level': 'silent',
        'pitaya.metrics.statsd.enabled': true,
        'pitaya.metrics.statsd.host': `127.0.0.1:${port}`,
        'pitaya.metrics.periodicmetrics.period': '20ms',
      },
      handleSignals: false,
    });
    await app.start();
    try {
      // the default period (15s) would send one in the time the test takes
      await waitFor(() => heap.length >= 3, 'three samples of the heap');
    } finally {
      await app.stop();
      socket.close();
    }
    expect(heap[0]).toMatch(/^pitaya\.sys_heapsize:\d+\|g\|#.*serverType:echo/);
  });
});
