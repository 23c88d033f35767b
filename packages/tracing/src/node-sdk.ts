import { trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { ServerInfo } from '@pitaya-ts/core';

/**
 * The Node SDK is the process's: it registers the global tracer provider, context manager and
 * propagator, which only one SDK can own. The servers of a process share it: the first one starts
 * it, the last one to stop flushes and shuts it down.
 */
let shared: { sdk: NodeSDK; users: number } | undefined;

/**
 * Starts the process's Node SDK for traces, configured by the OTEL_* env vars (exporter, OTLP
 * endpoint and protocol, sampler, propagators); its service is named by the server's type unless
 * OTEL_SERVICE_NAME names it. Metrics and logs stay Pitaya's: the SDK gets none.
 */
export function acquireNodeSdk(self: ServerInfo) {
  if (!shared) {
    const sdk = new NodeSDK({
      resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: self.type, 'service.instance.id': self.id }),
      metricReaders: [],
      logRecordProcessors: [],
    });
    sdk.start();
    shared = { sdk, users: 0 };
  }
  shared.users++;
  const sdk = shared.sdk;
  let released = false;
  return {
    tracerProvider: trace.getTracerProvider(),
    /** Once per acquire: the last release flushes the spans left and stops the SDK. */
    release: async (): Promise<void> => {
      if (released || shared?.sdk !== sdk) return;
      released = true;
      if (--shared.users > 0) return;
      shared = undefined;
      await sdk.shutdown();
    },
  };
}
