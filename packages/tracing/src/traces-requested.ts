/** Whether the OTEL_* env vars ask for traces: an exporter named, and the SDK not disabled. */
export function tracesRequested(env: NodeJS.ProcessEnv): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  const exporters = env.OTEL_TRACES_EXPORTER?.split(',').map((name) => name.trim()) ?? [];
  return exporters.some((name) => name !== '' && name !== 'none');
}
