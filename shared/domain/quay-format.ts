/** Quay's wire formats that are easy to get subtly wrong (quay-tag-api.md §1.1, §2, §3). */

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (value: number) => String(value).padStart(2, '0');

/** email.utils.formatdate(..., usegmt=False): RFC 2822 with the zone written `-0000`. */
export function formatQuayDate(epochSeconds: number): string {
  const date = new Date(epochSeconds * 1000);
  return (
    `${DAYS[date.getUTCDay()]}, ${two(date.getUTCDate())} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} ` +
    `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} -0000`
  );
}

/** Quay's util/parsing.py truthy_bool: only these strings are false; anything else is true. */
const FALSY = new Set(['False', 'false', '0', 'FALSE', '', 'null']);

export function truthyBool(value: string | undefined): boolean {
  return value === undefined ? false : !FALSY.has(value);
}

/**
 * Python int() on a query string: optional sign and surrounding spaces, digits with single
 * underscores between them (PEP 515). Huge values stay huge (callers clamp them).
 */
export function parsePythonInt(value: string): number | null {
  const match = /^\s*([+-]?\d+(?:_\d+)*)\s*$/.exec(value);
  return match ? Number(match[1].replace(/_/g, '')) : null;
}

/**
 * Quay's tag name rule (util/names.py): `^[\w][\w.-]{0,127}$` with ASCII `\w`. Python's `$` also
 * matched before a trailing newline, letting `"foo\n"` through; JavaScript's `$` does not, which is
 * the fix we want (docs/differences-from-quay.md).
 */
export const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
export const TAG_ERROR =
  'Invalid tag: must match [A-Za-z0-9_.-], NOT start with "." or "-", and can contain 1-128 characters';

export function isValidTagName(name: string): boolean {
  return TAG_PATTERN.test(name);
}

/** Python repr() of a JSON value, as jsonschema quotes it in its error messages. */
export function pythonRepr(value: unknown): string {
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([key, item]) => `${pythonRepr(key)}: ${pythonRepr(item)}`)
      .join(', ')}}`;
  }
  return String(value);
}
