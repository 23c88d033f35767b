/** The data of a session, as frontend and backend sessions both keep it: values as they are set. */
export abstract class SessionValues {
  private values = new Map<string, unknown>();

  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- Session's typed read
  get<T = unknown>(key: string): T | undefined {
    return this.values.get(key) as T | undefined;
  }

  set(key: string, value: unknown): void {
    this.values.set(key, value);
  }

  has(key: string): boolean {
    return this.values.has(key);
  }

  remove(key: string): void {
    this.values.delete(key);
  }

  clear(): void {
    this.values.clear();
  }

  /** A copy of the data. */
  data(): Record<string, unknown> {
    return Object.fromEntries(this.values);
  }

  /** Replaces the data. */
  setData(data: Record<string, unknown>): void {
    this.values = new Map(Object.entries(data));
  }
}
