/** `get`, called at the first call only: a part of a started server, looked up once rather than per use. */
export function once<T>(get: () => T): () => T {
  let value: { resolved: T } | undefined;
  return () => (value ??= { resolved: get() }).resolved;
}
