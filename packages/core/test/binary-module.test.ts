import 'reflect-metadata';
import { BinaryModule } from '@pitaya-ts/core';
import { Harness, captureLogger, waitFor } from './helpers';

const harness = new Harness();
afterEach(() => harness.cleanup());

/** Whether a process is alive (signal 0 checks without killing). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// prints one line to each stream, then runs until stopped
const CHATTY = `
  console.log('hello from stdout');
  console.error('trouble on stderr');
  setInterval(() => {}, 1000);
`;

describe('BinaryModule', () => {
  it("logs the program's stdout at info and its stderr at error, and stops it at shutdown", async () => {
    const { logger, lines } = captureLogger();
    const module = new BinaryModule({ name: 'sidecar', command: process.execPath, args: ['-e', CHATTY] }, logger);
    const app = await harness.server({ modules: [module], logger });
    expect(app.module<BinaryModule>('sidecar')).toBe(module);
    const pid = module.pid!;
    expect(alive(pid)).toBe(true);

    const find = (msg: string) => lines.find((l) => l.msg === msg);
    await waitFor(() => !!find('hello from stdout') && !!find('trouble on stderr'), 'both lines');
    expect(find('hello from stdout')).toMatchObject({ level: 30, module: 'sidecar' });
    expect(find('trouble on stderr')).toMatchObject({ level: 50, module: 'sidecar' });

    await app.stop();
    expect(alive(pid)).toBe(false);
    expect(lines.find((l) => l.msg === 'binary exited')).toMatchObject({ module: 'sidecar', signal: 'SIGTERM' });
  });

  it('passes its environment to the program', async () => {
    const { logger, lines } = captureLogger();
    const module = new BinaryModule(
      {
        name: 'env',
        command: process.execPath,
        args: ['-e', 'console.log("mode=" + process.env.SIDECAR_MODE)'],
        env: { SIDECAR_MODE: 'blue' },
      },
      logger,
    );
    await module.init();
    await waitFor(() => lines.some((l) => l.msg === 'binary exited'), 'the program to exit');
    expect(lines.map((l) => l.msg)).toContain('mode=blue');
    await module.shutdown(); // nothing left to stop
  });

  it('kills a program that ignores SIGTERM once the grace period is over', async () => {
    const { logger, lines } = captureLogger();
    const stubborn = `
      process.on('SIGTERM', () => console.log('ignoring SIGTERM'));
      console.log('ready');
      setInterval(() => {}, 1000);
    `;
    const module = new BinaryModule(
      { name: 'stubborn', command: process.execPath, args: ['-e', stubborn], killTimeoutMs: 100 },
      logger,
    );
    await module.init();
    await waitFor(() => lines.some((l) => l.msg === 'ready'), 'the program to be ready');
    const pid = module.pid!;
    const started = Date.now();
    await module.shutdown();
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(alive(pid)).toBe(false);
    expect(lines.find((l) => l.msg === 'binary exited')).toMatchObject({ signal: 'SIGKILL' });
  });

  it('fails the start when the program cannot be started, and the stop does not hang', async () => {
    const { logger } = captureLogger();
    const module = new BinaryModule({ name: 'missing', command: '/no/such/program' }, logger);
    const app = await harness.build({ modules: [module], logger });
    await expect(app.start()).rejects.toThrow(/cannot start \/no\/such\/program/);
    await app.stop();
  });
});
