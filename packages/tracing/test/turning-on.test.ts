import 'reflect-metadata';
import { bootstrap, TOKENS } from '@pitaya-ts/core';
import { tracingModule } from '../src';

/** Whether a server with `tracingModule()` traces, given its configuration and OTEL_* variables. */
async function traces(config: Record<string, unknown>, env: Record<string, string> = {}): Promise<boolean> {
  const app = await bootstrap({
    serverType: 'room',
    config: { 'pitaya.log.level': 'silent', ...config },
    env: {},
    providers: [tracingModule({ env })],
    handleSignals: false,
  });
  await app.start();
  const enabled = app.container.get(TOKENS.Tracer).enabled;
  // a started SDK is shut down with the server
  await app.stop();
  return enabled;
}

describe('when tracingModule() traces', () => {
  it('is off by default', async () => {
    await expect(traces({})).resolves.toBe(false);
  });

  it('is on with pitaya.tracing.enabled', async () => {
    await expect(traces({ 'pitaya.tracing.enabled': true })).resolves.toBe(true);
  });

  it('is on when OTEL_TRACES_EXPORTER names an exporter, unless it is none or the SDK is disabled', async () => {
    await expect(traces({}, { OTEL_TRACES_EXPORTER: 'otlp' })).resolves.toBe(true);
    await expect(traces({}, { OTEL_TRACES_EXPORTER: 'none' })).resolves.toBe(false);
    await expect(traces({}, { OTEL_TRACES_EXPORTER: 'otlp', OTEL_SDK_DISABLED: 'true' })).resolves.toBe(false);
  });
});
