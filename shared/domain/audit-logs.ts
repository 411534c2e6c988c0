/**
 * Quay's logs API over the audit table: a time window (Quay's MM/DD/YYYY days, or ISO-8601 instants
 * as an extension), 20 entries per page, newest first, with an opaque next_page.
 */
import type { Clock } from '../clock.js';
import type { AuditEntry } from '../store/audit.js';
import type { Store } from '../store/index.js';
import { namespacePK, repoPK } from '../store/keys.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { invalidRequest } from './errors.js';
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

/** An audit entry's sort key: a 13-digit time and the event id. */
const AUDIT_SK = /^\d{13}#[\x21-\x7e]{1,200}$/;

/**
 * A logs cursor: the window it was issued for and the audit key to resume after. Every field is
 * checked (the window's instants, the key's exact attributes and their shapes, and that the key lies
 * in the partition this listing reads), so a forged cursor is a 400, never a query DynamoDB refuses.
 */
function resumeLogs(value: string, scope: string, request: LogsRequest): { startMs: number; endMs: number; key: Record<string, string> } {
  const position = decodeCursor(value, scope);
  const { startMs, endMs, key } = position as { startMs?: unknown; endMs?: unknown; key?: unknown };
  const names = request.repository === null ? ['PK', 'SK', 'nsKey'] : ['PK', 'SK'];
  const parts = key !== null && typeof key === 'object' && !Array.isArray(key) ? (key as Record<string, unknown>) : {};
  const namespaceKey = namespacePK(request.namespace);
  const keyShaped =
    Object.keys(parts).length === names.length &&
    names.every((name) => typeof parts[name] === 'string' && (parts[name] as string).length <= 600) &&
    AUDIT_SK.test(parts.SK as string) &&
    (request.repository === null
      ? parts.nsKey === namespaceKey && (parts.PK === namespaceKey || (parts.PK as string).startsWith(repoPK(request.namespace, '')))
      : parts.PK === repoPK(request.namespace, request.repository));
  const windowShaped =
    isAcceptedInstant(startMs as number) && isAcceptedInstant(endMs as number) && (startMs as number) <= (endMs as number);
  if (!windowShaped || !keyShaped) {
    throw invalidRequest('Invalid next_page: it does not belong to this listing');
  }
  return { startMs: startMs as number, endMs: endMs as number, key: parts as Record<string, string> };
}

export async function readLogs(
  deps: { clock: Clock; store: Pick<Store, 'audit'> },
  request: LogsRequest,
) {
  // A cursor carries its window, so later pages see the same range even as "now" moves on.
  const scope = JSON.stringify(['logs', request.namespace, request.repository]);
  const resumed = request.nextPage ? resumeLogs(request.nextPage, scope, request) : undefined;
  const { startMs, endMs } = resumed ?? logWindow(deps.clock, request.starttime, request.endtime);
  const page = await deps.store.audit.queryAudit({
    namespace: request.namespace,
    repository: request.repository,
    fromMs: startMs,
    toMs: endMs,
    limit: LOGS_PAGE_SIZE,
    from: resumed?.key,
  });
  return {
    start_time: formatQuayDate(Math.floor(startMs / 1000)),
    end_time: formatQuayDate(Math.floor(endMs / 1000)),
    logs: page.entries.map(logView),
    ...(page.next ? { next_page: encodeCursor(scope, { key: page.next, startMs, endMs }) } : {}),
  };
}
