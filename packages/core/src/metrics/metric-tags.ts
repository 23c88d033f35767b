/** Pitaya's key of a request's metric tags in the metadata it propagates across RPCs. */
export const METRIC_TAGS_KEY = 'metric-tags';

/** The metric tags a request's metadata carries, if any. */
export function metricTags(metadata: Record<string, unknown>): Record<string, string> | undefined {
  const tags = metadata[METRIC_TAGS_KEY];
  return tags !== null && typeof tags === 'object' ? (tags as Record<string, string>) : undefined;
}

/**
 * Tags the metrics of the request being handled (Pitaya's `AddMetricTagsToPropagateCtx`): those
 * named in `pitaya.metrics.additionaltags` label its response time instead of their defaults. They
 * travel in `ctx.metadata`, so the RPCs made with it carry them too.
 */
export function addMetricTags(ctx: { readonly metadata: Record<string, unknown> }, tags: Record<string, string>): void {
  ctx.metadata[METRIC_TAGS_KEY] = { ...metricTags(ctx.metadata), ...tags };
}
