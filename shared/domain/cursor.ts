/**
 * Opaque page cursors: the store's resume position, bound to the listing it came from so a cursor
 * cannot be replayed against another repository or filter.
 */
import { invalidRequest } from './errors.js';

export type Position = Record<string, unknown>;

export function encodeCursor(scope: string, from: Position): string {
  return Buffer.from(JSON.stringify({ scope, from })).toString('base64url');
}

export function decodeCursor(value: string, scope: string): Position {
  try {
    const cursor = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as { scope?: unknown; from?: unknown };
    if (cursor && cursor.scope === scope && cursor.from && typeof cursor.from === 'object') return cursor.from as Position;
  } catch {
    // Not ours: fall through to the same answer as a foreign cursor.
  }
  throw invalidRequest('Invalid next_page: it does not belong to this listing');
}
