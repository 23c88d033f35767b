const UNITS = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};
type Unit = keyof typeof UNITS;
const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;

/**
 * Parses a Go-style duration ("300ms", "5s", "1m30s", "1.5h") into milliseconds.
 * A bare number is taken as milliseconds. Returns undefined when the text is not a duration.
 */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  const text = value.trim();
  if (text === '0') return 0;
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  let total = 0;
  PART.lastIndex = 0;
  let end = 0;
  for (let match = PART.exec(text); match; match = PART.exec(text)) {
    // PART matches these units only
    total += Number(match[1]) * UNITS[match[2] as Unit];
    end = PART.lastIndex;
  }
  return end > 0 && end === text.length ? total : undefined;
}

/** Formats milliseconds in the largest whole unit, as Go writes short durations ("5s", "250ms", "6h"). */
export function formatDuration(ms: number): string {
  if (ms > 0 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms > 0 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
