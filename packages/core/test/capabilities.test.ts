import 'reflect-metadata';
import { Handler, TOKENS, type RpcClient } from '@pitaya-ts/core';
import { StandaloneRpcClient } from '@pitaya-ts/core/provider';
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

describe('what providers declare, not what class they are', () => {
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
