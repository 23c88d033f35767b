/**
 * A promise settled by `executor` (as `new Promise`'s is), or rejected with `late()` once
 * `timeoutMs` has passed. The timer does not hold the process (what the work waits on does, if
 * anything). One promise and no race: each RPC makes one.
 */
export function within<T>(
  timeoutMs: number,
  late: () => Error,
  executor: (resolve: (value: T) => void, reject: (error: unknown) => void) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(late()), timeoutMs);
    timer.unref();
    const fail = (error: unknown) => {
      clearTimeout(timer);
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passes on the work's rejection as it came
      reject(error);
    };
    try {
      executor((value) => {
        clearTimeout(timer);
        resolve(value);
      }, fail);
    } catch (err) {
      fail(err);
    }
  });
}

/**
 * Waits for `work` to settle, but no longer than `timeoutMs`; resolves true when it settled in
 * time. Never rejects. Its timer holds the process meanwhile: stops wait on it.
 */
export async function settlesWithin(work: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const settled = work.then(
    () => true,
    () => true,
  );
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  try {
    return await Promise.race([settled, late]);
  } finally {
    clearTimeout(timer);
  }
}
