import pino from 'pino';
import pretty from 'pino-pretty';

/** The logger every component receives; pino's API. Components log through `child({ component })`. */
export type Logger = pino.Logger;

/** `pitaya.log.format`: auto is pretty for a person at a terminal, JSON for a log collector. */
export type LogFormat = 'auto' | 'json' | 'pretty';

export function createLogger(
  level: string,
  bindings: Record<string, unknown> = {},
  format: LogFormat = 'json',
): Logger {
  const base = { ...bindings };
  if (format === 'json' || (format === 'auto' && !process.stdout.isTTY)) return pino({ level, base });
  // synchronous: a line is on the terminal before the process can exit; the server's id is noise there
  return pino(
    { level, base },
    pretty({ sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,serverId' }),
  );
}
