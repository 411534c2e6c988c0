/**
 * Opaque page cursors: the store's resume position, bound to the listing it came from so a cursor
 * cannot be replayed against another repository or filter.
 */
import { invalidRequest } from './errors.js';

export type Position = Record<string, unknown>;

export function encodeCursor(scope: string, from: Position): string {
  return Buffer.from(JSON.stringify({ scope, from })).toString('base64url');
}

const INVALID = 'Invalid next_page: it does not belong to this listing';
export const INVALID_CURSOR = INVALID;

/**
 * The position inside a cursor, checked before it reaches DynamoDB: it must come from this listing
 * (`scope`) and be a key of the expected shape, every attribute a string (`keys` names them and
 * `valid` checks their values), so a forged cursor is a 400, never a query DynamoDB refuses.
 */
export function decodeCursor(value: string, scope: string, keys?: readonly string[], valid?: (position: Record<string, string>) => boolean): Position {
  let cursor: { scope?: unknown; from?: unknown };
  try {
    cursor = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as typeof cursor;
  } catch {
    throw invalidRequest(INVALID);
  }
  if (!cursor || cursor.scope !== scope || !cursor.from || typeof cursor.from !== 'object' || Array.isArray(cursor.from)) {
    throw invalidRequest(INVALID);
  }
  const from = cursor.from as Record<string, unknown>;
  if (keys) {
    const names = Object.keys(from);
    const shaped =
      names.length === keys.length &&
      keys.every((key) => typeof from[key] === 'string' && (from[key] as string).length <= 1024) &&
      (!valid || valid(from as Record<string, string>));
    if (!shaped) throw invalidRequest(INVALID);
  }
  return from;
}
