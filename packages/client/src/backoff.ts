export interface ReconnectOptions {
  /** Attempts before giving up; Infinity by default. */
  retries?: number;
  /** First delay, in ms (default 500). */
  minDelay?: number;
  /** Largest delay, in ms (default 10 000). */
  maxDelay?: number;
  /** Growth per attempt (default 2). */
  factor?: number;
}

/** Exponential backoff with "equal jitter": half fixed, half random, so clients do not stampede. */
export function backoffDelay(attempt: number, options: ReconnectOptions, random: () => number = Math.random): number {
  const { minDelay = 500, maxDelay = 10_000, factor = 2 } = options;
  const ceiling = Math.min(maxDelay, minDelay * factor ** attempt);
  return ceiling / 2 + (random() * ceiling) / 2;
}
