type Condition = () => boolean | Promise<boolean>;

/**
 * Polls until `condition` holds (it may be async). The timeout only turns a hang into a failure
 * that names `what`: keep it far above how long the wait takes, even on a loaded machine.
 */
export function waitFor(condition: Condition, what?: string): Promise<void>;
export function waitFor(condition: Condition, timeoutMs?: number, what?: string): Promise<void>;
export async function waitFor(
  condition: Condition,
  timeoutOrWhat?: number | string,
  what = typeof timeoutOrWhat === 'string' ? timeoutOrWhat : 'condition',
): Promise<void> {
  const timeoutMs = typeof timeoutOrWhat === 'number' ? timeoutOrWhat : 10_000;
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
