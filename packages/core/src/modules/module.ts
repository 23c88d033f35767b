/** A piece of the application with a lifecycle, registered by name (Pitaya's modules). */
export interface Module {
  readonly name: string;
  init?(): void | Promise<void>;
  afterInit?(): void | Promise<void>;
  beforeShutdown?(): void | Promise<void>;
  shutdown?(): void | Promise<void>;
}
