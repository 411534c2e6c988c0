/**
 * Quay's logs API over the audit table: a time window (Quay's MM/DD/YYYY days, or ISO-8601 instants
 * as an extension), 20 entries per page, newest first, with an opaque next_page.
 */
import type { Clock } from '../clock.js';
import type { AuditEntry } from '../store/audit.js';
import type { Store } from '../store/index.js';
import { INVALID_CURSOR, decodeCursor, encodeCursor } from './cursor.js';
import { invalidRequest, rejectForgedPosition } from './errors.js';
import { formatQuayDate } from './quay-format.js';
import { isAcceptedInstant } from './limits.js';

export const LOGS_PAGE_SIZE = 20;
const DAY_MS = 86_400_000;

/** `MM/DD/YYYY` (a whole UTC day) or an ISO-8601 instant; null when absent. */
export function parseLogTime(value: string | undefined, name: string): { ms: number; wholeDay: boolean } | null {
  if (!value) return null;
  const day = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(value);
  if (day) {
    const [month, date, year] = [Number(day[1]), Number(day[2]), Number(day[3])];
    const ms = Date.UTC(year, month - 1, date);
    const check = new Date(ms);
    if (check.getUTCMonth() === month - 1 && check.getUTCDate() === date) return { ms, wholeDay: true };
  } else if (/^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value))) {
    return { ms: Date.parse(value), wholeDay: false };
  }
  throw invalidRequest(`Invalid ${name}: expected MM/DD/YYYY or an ISO-8601 instant`);
}

const WINDOW_RANGE = 'Invalid time range: starttime and endtime must lie between 01/01/1970 and 11/19/2286';

/** Quay's window: start defaults to a day ago; a day-precision end includes that whole day. */
export function logWindow(clock: Clock, starttime?: string, endtime?: string) {
  const now = clock.now();
  const start = parseLogTime(starttime, 'starttime')?.ms ?? now - DAY_MS;
  const end = parseLogTime(endtime, 'endtime');
  const endMs = end ? (end.wholeDay ? end.ms + DAY_MS : end.ms) : now + DAY_MS;
  // Audit keys hold 13-digit times: outside this range they would not order (limits.ts).
  if (!isAcceptedInstant(start) || !isAcceptedInstant(endMs)) throw invalidRequest(WINDOW_RANGE);
  if (endMs < start) throw invalidRequest('Invalid time range: end is before start');
  return { startMs: start, endMs };
}

export function logView(entry: AuditEntry) {
  return {
    kind: entry.kind,
    metadata: entry.metadata,
    ip: entry.ip,
    datetime: formatQuayDate(Math.floor(entry.at / 1000)),
    ...(entry.performer
      ? { performer: { kind: 'user', name: entry.performer.username, is_robot: entry.performer.isRobot } }
      : {}),
  };
}

export interface LogsRequest {
  namespace: string;
  repository: string | null;
  starttime?: string;
  endtime?: string;
  nextPage?: string;
}

/**
 * A logs cursor: the window it was issued for and the store position to resume after. The window's
 * instants are checked here; the position's shape and partition by the store (a forged cursor is a
 * 400, never a query DynamoDB refuses).
 */
function resumeLogs(value: string, scope: string): { startMs: number; endMs: number; key: unknown } {
  const { startMs, endMs, key } = decodeCursor(value, scope) as { startMs?: unknown; endMs?: unknown; key?: unknown };
  if (!isAcceptedInstant(startMs as number) || !isAcceptedInstant(endMs as number) || (startMs as number) > (endMs as number)) {
    throw invalidRequest(INVALID_CURSOR);
  }
  return { startMs: startMs as number, endMs: endMs as number, key };
}

export async function readLogs(
  deps: { clock: Clock; store: Pick<Store, 'audit'> },
  request: LogsRequest,
) {
  // A cursor carries its window, so later pages see the same range even as "now" moves on.
  const scope = JSON.stringify(['logs', request.namespace, request.repository]);
  const resumed = request.nextPage ? resumeLogs(request.nextPage, scope) : undefined;
  const { startMs, endMs } = resumed ?? logWindow(deps.clock, request.starttime, request.endtime);
  const page = await deps.store.audit
    .queryAudit({
      namespace: request.namespace,
      repository: request.repository,
      fromMs: startMs,
      toMs: endMs,
      limit: LOGS_PAGE_SIZE,
      from: resumed?.key,
    })
    .catch(rejectForgedPosition);
  return {
    start_time: formatQuayDate(Math.floor(startMs / 1000)),
    end_time: formatQuayDate(Math.floor(endMs / 1000)),
    logs: page.entries.map(logView),
    ...(page.next ? { next_page: encodeCursor(scope, { key: page.next, startMs, endMs }) } : {}),
  };
}
