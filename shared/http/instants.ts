/**
 * Instants in query parameters (`at` of the tag list, `from`/`to` of the tag diff): epoch seconds
 * (as Quay's expirations) or an ISO-8601 date-time. Only instants the keys order correctly are
 * accepted (limits.ts); others are a 400 naming the parameter.
 */
import { isAcceptedInstant } from '../domain/limits.js';
import { quay } from './errors.js';

const INSTANT_HELP = 'An instant between 1970 and 2286: epoch seconds or an ISO-8601 date-time.';

/** The instant in epoch ms, or null when the parameter is absent or empty. */
export function instantParam(value: string | undefined, name: string): number | null {
  if (value === undefined || value === '') return null;
  let ms = Number.NaN;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) ms = Math.floor(Number(value) * 1000);
  else if (/^\d{4}-\d{2}-\d{2}T/.test(value)) ms = Date.parse(value);
  if (isAcceptedInstant(ms)) return ms;
  throw quay.message(400, { [name]: INSTANT_HELP });
}

/** A required instant parameter. */
export function requiredInstantParam(value: string | undefined, name: string): number {
  const ms = instantParam(value, name);
  if (ms === null) throw quay.message(400, { [name]: INSTANT_HELP });
  return ms;
}
