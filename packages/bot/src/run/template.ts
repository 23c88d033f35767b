/** What `${name}` can name: stored values and the built-ins (`bot`, `iteration`, `loop`). */
export type Vars = Record<string, unknown>;

const WHOLE = /^\$\{([^}]+)\}$/;
const ANY = /\$\{([^}]+)\}/g;

/** A value by dot path: `members.0`, `room.name`; the empty path is the value itself. */
export function getPath(value: unknown, path: string): unknown {
  if (path === '') return value;
  let current = value;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function lookup(name: string, vars: Vars): unknown {
  const trimmed = name.trim();
  const value = getPath(vars, trimmed);
  if (value === undefined) throw new Error(`nothing stored as ${trimmed}`);
  return value;
}

/** The value with every `${name}` replaced; `"${name}"` alone keeps the stored value's type. */
export function render(value: unknown, vars: Vars): unknown {
  if (typeof value === 'string') {
    if (!value.includes('${')) return value;
    const whole = WHOLE.exec(value);
    if (whole?.[1] !== undefined) return lookup(whole[1], vars);
    return value.replace(ANY, (_, name: string) => {
      const found = lookup(name, vars);
      return typeof found === 'string' ? found : JSON.stringify(found);
    });
  }
  if (Array.isArray(value)) return value.map((item) => render(item, vars));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = render(item, vars);
    return out;
  }
  return value;
}
