/**
 * When the RPCs a request's handler makes must have been answered rides in the request's metadata
 * under a symbol: a handler passes `ctx.metadata` on to its own calls (as Go passes a context),
 * copies and spreads keep the symbol, and it is never serialized.
 */
const ANSWER_BY = Symbol.for('@pitaya-ts/core/answerBy');

/**
 * The share of a request's time kept for its answer's way back: a nested call times out first,
 * so the error that reaches the caller names the server that did not answer, not the one waiting on it.
 */
const WAY_BACK = 0.1;

type Marked = Record<string | symbol, unknown>;

/** Marks the metadata of a request received with `timeoutMs` to answer it. */
export function markDeadline(metadata: Record<string, unknown>, timeoutMs: number): void {
  (metadata as Marked)[ANSWER_BY] = performance.now() + timeoutMs * (1 - WAY_BACK);
}

/** A call's timeout: its own, cut to the time the request it is made for has left (1 ms at least). */
export function timeoutWithin(timeoutMs: number, metadata: Record<string, unknown> | undefined): number {
  const answerBy = metadata && (metadata as Marked)[ANSWER_BY];
  if (typeof answerBy !== 'number') return timeoutMs;
  return Math.max(1, Math.min(timeoutMs, Math.floor(answerBy - performance.now())));
}
