import pino from 'pino';

/** The logger every component receives; pino's API. Components log through `child({ component })`. */
export type Logger = pino.Logger;

export function createLogger(level: string, bindings: Record<string, unknown> = {}): Logger {
  return pino({ level, base: { ...bindings } });
}
