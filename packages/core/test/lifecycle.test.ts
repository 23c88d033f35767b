import 'reflect-metadata';
import * as net from 'node:net';
import { Handler, Remote, TcpAcceptor, type Module } from '@pitaya-ts/core';
import { Harness, tcpAcceptor } from './helpers';

const harness = new Harness();
afterEach(() => harness.cleanup());

const HOOKS = ['init', 'afterInit', 'beforeShutdown', 'shutdown'] as const;

/** A module recording its hooks into `log`. */
function recordingModule(name: string, log: string[]): Module {
  const module: Module & Record<string, unknown> = { name };
  for (const hook of HOOKS) module[hook] = async () => void log.push(`${name}.${hook}`);
  return module;
}

describe('lifecycle hooks', () => {
  it('runs init and afterInit in order at start, beforeShutdown and shutdown in reverse at stop', async () => {
    const log: string[] = [];
    const record = (who: string, hook: string) => log.push(`${who}.${hook}`);

    @Handler()
    class FirstHandler {
      init(): void {
        record('first', 'init');
      }
      async afterInit(): Promise<void> {
        await new Promise((resolve) => setImmediate(resolve)); // async hooks are awaited in turn
        record('first', 'afterInit');
      }
      beforeShutdown(): void {
        record('first', 'beforeShutdown');
      }
      shutdown(): void {
        record('first', 'shutdown');
      }
    }

    @Handler()
    class SecondHandler {
      init(): void {
        record('second', 'init');
      }
      afterInit(): void {
        record('second', 'afterInit');
      }
      async beforeShutdown(): Promise<void> {
        await new Promise((resolve) => setImmediate(resolve));
        record('second', 'beforeShutdown');
      }
      shutdown(): void {
        record('second', 'shutdown');
      }
    }

    @Remote()
    class ThirdRemote {
      init(): void {
        record('third', 'init');
      }
      shutdown(): void {
        record('third', 'shutdown');
      }
    }

    const app = await harness.server({
      handlers: [FirstHandler, SecondHandler],
      remotes: [ThirdRemote],
      modules: [recordingModule('modA', log), recordingModule('modB', log)],
    });
    expect(log).toEqual([
      'modA.init',
      'modB.init',
      'first.init',
      'second.init',
      'third.init',
      'modA.afterInit',
      'modB.afterInit',
      'first.afterInit',
      'second.afterInit',
    ]);
    expect(app.module('modB')?.name).toBe('modB');

    log.length = 0;
    await app.stop();
    expect(log).toEqual([
      'second.beforeShutdown',
      'first.beforeShutdown',
      'modB.beforeShutdown',
      'modA.beforeShutdown',
      'third.shutdown',
      'second.shutdown',
      'first.shutdown',
      'modB.shutdown',
      'modA.shutdown',
    ]);
    expect(app.running).toBe(false);

    log.length = 0;
    await app.stop(); // a second stop does nothing
    expect(log).toEqual([]);
  });

  it('fails the start when an init hook fails', async () => {
    @Handler('broken')
    class BrokenHandler {
      init(): void {
        throw new Error('cannot open the database');
      }
    }
    const afterInit = jest.fn();
    const app = await harness.build({ handlers: [BrokenHandler], modules: [{ name: 'm', afterInit }] });
    await expect(app.start()).rejects.toThrow('cannot open the database');
    expect(afterInit).not.toHaveBeenCalled();
    expect(app.running).toBe(false);
  });

  it('goes on with the stop when a stop hook fails', async () => {
    const log: string[] = [];
    @Handler('flaky')
    class FlakyHandler {
      beforeShutdown(): void {
        throw new Error('flaky');
      }
      shutdown(): void {
        log.push('flaky.shutdown');
      }
    }
    const app = await harness.server({ handlers: [FlakyHandler], modules: [recordingModule('mod', log)] });
    log.length = 0;
    await app.stop();
    expect(log).toEqual(['mod.beforeShutdown', 'flaky.shutdown', 'mod.shutdown']);
  });

  it('fails the start when an acceptor cannot listen, and stops cleanly after', async () => {
    const first = await harness.server({ acceptors: [tcpAcceptor()] });
    const { port } = first.acceptors[0]!.address()!;
    const shutdown = jest.fn();
    const listening = tcpAcceptor();
    const second = await harness.build({
      acceptors: [listening, new TcpAcceptor({ host: '127.0.0.1', port })],
      modules: [{ name: 'm', shutdown }],
    });
    await expect(second.start()).rejects.toThrow(/EADDRINUSE/);
    const opened = listening.address()!.port;
    await second.stop();
    expect(shutdown).toHaveBeenCalledTimes(1);
    // the acceptor that did listen is closed by the stop
    await expect(
      new Promise((resolve, reject) => net.connect(opened, '127.0.0.1').once('connect', resolve).once('error', reject)),
    ).rejects.toThrow(/ECONNREFUSED/);
    expect(first.acceptors[0]!.address()?.port).toBe(port);
  });

  it('refuses two modules of one name, and a second start', async () => {
    const app = await harness.build({ modules: [{ name: 'same' }, { name: 'same' }] });
    await expect(app.start()).rejects.toThrow(/same/);

    const ok = await harness.server({});
    await expect(ok.start()).rejects.toThrow(/running/);
  });
});
