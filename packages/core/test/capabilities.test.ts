import 'reflect-metadata';
import { ContainerModule } from 'inversify';
import { Handler, NO_TRACER, TOKENS, type RpcClient, type Tracer } from '@pitaya-ts/core';
import { MemoryCluster, StandaloneRpcClient } from '@pitaya-ts/core/provider';
import { startCluster } from './cluster/fixtures';
import { Harness, RecordingReporter } from './helpers';

const harness = new Harness();
afterEach(() => harness.cleanup());

@Handler('room')
class RoomHandler {
  ok(): string {
    return 'ok';
  }
}

/** An RPC client of its own class, with nobody to call: it says so, and counts what it is asked. */
class CountingClient implements RpcClient {
  readonly clustered = false;
  calls = 0;
  private readonly standalone = new StandaloneRpcClient();

  start = () => this.standalone.start();
  stop = () => this.standalone.stop();
  pushToUser = () => this.count(this.standalone.pushToUser());
  kickUser = () => this.count(this.standalone.kickUser());
  announceBind = () => this.count(this.standalone.announceBind());

  call(...args: Parameters<RpcClient['call']>) {
    return this.count(this.standalone.call(args[0]));
  }

  private count<T>(work: Promise<T>): Promise<T> {
    this.calls++;
    return work;
  }
}

/** A reporter that says its reports go nowhere. */
class SilentReporter extends RecordingReporter {
  readonly enabled = false;
}

/** A tracer that says it is off, and counts what it is asked. */
class CountingTracer implements Tracer {
  readonly enabled = false;
  calls = 0;
  clientMessage = (...args: Parameters<Tracer['clientMessage']>) => this.count(NO_TRACER.clientMessage(...args));
  rpcCall = (...args: Parameters<Tracer['rpcCall']>) => this.count(NO_TRACER.rpcCall(...args));
  rpcReceived = (...args: Parameters<Tracer['rpcReceived']>) => this.count(NO_TRACER.rpcReceived(...args));
  activate: Tracer['activate'] = (span, fn) => this.count(NO_TRACER.activate(span, fn));

  private count<T>(value: T): T {
    this.calls++;
    return value;
  }
}

describe('what providers declare, not what class they are', () => {
  it('traces nothing, on any path, for a tracer that says it is not enabled', async () => {
    const tracer = new CountingTracer();
    const memory = new MemoryCluster();
    const traced = new ContainerModule(({ rebind }) => void rebind(TOKENS.Tracer).toConstantValue(tracer));
    const cluster = await startCluster(() => [memory.providers(), traced]);
    try {
      const player = await cluster.client();
      // a forward (Sys RPC), a backend's RPC to the frontend (bind), a user RPC, a local handler
      await player.request('room.room.bind', { uid: 'traced' });
      await expect(cluster.connectors[0]!.rpc('room.roomRemote.echo', { n: 1 })).resolves.toMatchObject({ n: 2 });
      const other = await cluster.client();
      await expect(other.request('connector.entry.login', { uid: 'local' })).resolves.toMatchObject({ ok: true });
      expect(cluster.connectors[0]!.sessions.getByUid('traced')).toBeDefined();
      expect(tracer.calls).toBe(0);
    } finally {
      await cluster.stop();
    }
  });

  it('forwards nothing when the RPC client says it is not clustered, whatever its class', async () => {
    const client = new CountingClient();
    const app = await harness.server({
      handlers: [RoomHandler],
      beforeStart: (a) => {
        a.container.rebind(TOKENS.RpcClient).toConstantValue(client);
      },
    });
    const player = await harness.client(app);
    // another server type's route, on a server with no cluster: not found here, as in standalone mode
    await expect(player.request('chat.room.join', {})).rejects.toMatchObject({ code: 'PIT-404' });
    await expect(player.request('game.room.ok')).resolves.toBe('ok');
    expect(client.calls).toBe(0);
  });

  it('measures nothing for a reporter that says it is not enabled', async () => {
    const reporter = new SilentReporter();
    const app = await harness.server({
      handlers: [RoomHandler],
      beforeStart: (a) => {
        a.container.rebind(TOKENS.MetricsReporter).toConstantValue(reporter);
      },
    });
    const player = await harness.client(app);
    // the processor reports as it answers: once the answer is here, a report would be too
    await expect(player.request('game.room.ok')).resolves.toBe('ok');
    expect(reporter.of('handler_response_time_ns')).toEqual([]);
  });
});
