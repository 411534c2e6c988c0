/**
 * The audit table: written only by the stream consumer (one entry per change, idempotently keyed
 * by the stream event id), read by the logs API. Keys: a repository's entries under its own
 * partition, newest first; a namespace's entries (all its repositories and namespace-level changes)
 * through the byNamespace index.
 */
import type { StoreContext } from './context.js';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { AUDIT_INDEX, TTL_ATTRIBUTE } from './schema.js';
import { namespacePK, pad13, repoPK } from './keys.js';
import { checkPosition } from './reads.js';
import type { ChangeRecord } from './records.js';

export interface AuditEntry extends ChangeRecord {
  eventId: string;
}

/** An audit entry from a stored item (the audit table) or a change item (the stream) plus its event id. */
export function toAuditEntry(item: Record<string, unknown>, eventId: string): AuditEntry {
  return {
    kind: item.kind as string,
    namespace: item.namespace as string,
    repository: (item.repository as string | undefined) ?? null,
    performer: (item.performer as AuditEntry['performer'] | undefined) ?? null,
    ip: (item.ip as string | undefined) ?? null,
    at: item.at as number,
    metadata: (item.metadata as Record<string, unknown> | undefined) ?? {},
    eventId,
  };
}

/** Writes the entry unless this stream event was already recorded; returns false on a replay. */
export async function putAuditEntry(ctx: StoreContext, entry: AuditEntry, retentionDays: number): Promise<boolean> {
  const pk = entry.repository === null ? namespacePK(entry.namespace) : repoPK(entry.namespace, entry.repository);
  try {
    await ctx.client.send(
      new PutCommand({
        TableName: ctx.tables.audit,
        Item: {
          PK: pk,
          SK: `${pad13(entry.at)}#${entry.eventId}`,
          nsKey: namespacePK(entry.namespace),
          ...entry,
          [TTL_ATTRIBUTE]: Math.floor(entry.at / 1000) + retentionDays * 86_400,
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
    return true;
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}

export interface AuditQuery {
  /** A repository's entries, or (repository null) every entry of the namespace. */
  namespace: string;
  repository: string | null;
  fromMs: number;
  toMs: number;
  limit: number;
  /** A `next` this query returned earlier (from a client's cursor: checked, InvalidPositionError). */
  from?: unknown;
}

/** The position contract of audit pages: the key of the entry to resume after, in this listing's partition. */
function auditPosition(query: AuditQuery, from: unknown) {
  return query.repository !== null
    ? checkPosition(from, ['PK', 'SK'], (key) => key.PK === repoPK(query.namespace, query.repository as string))
    : checkPosition(from, ['PK', 'SK', 'nsKey'], (key) => key.nsKey === namespacePK(query.namespace));
}

export async function queryAudit(ctx: StoreContext, query: AuditQuery): Promise<{ entries: AuditEntry[]; next?: Record<string, unknown> }> {
  const byRepository = query.repository !== null;
  const result = await ctx.client.send(
    new QueryCommand({
      TableName: ctx.tables.audit,
      ...(byRepository ? {} : { IndexName: AUDIT_INDEX.byNamespace }),
      KeyConditionExpression: `${byRepository ? 'PK' : 'nsKey'} = :key AND SK BETWEEN :from AND :to`,
      ExpressionAttributeValues: {
        ':key': byRepository ? repoPK(query.namespace, query.repository as string) : namespacePK(query.namespace),
        ':from': pad13(query.fromMs),
        ':to': `${pad13(query.toMs)}~`,
      },
      ScanIndexForward: false,
      // One more than the page tells whether another page exists (no empty last page).
      Limit: query.limit + 1,
      ExclusiveStartKey: query.from === undefined ? undefined : auditPosition(query, query.from),
    }),
  );
  const items = result.Items ?? [];
  const last = items.length > query.limit ? items[query.limit - 1] : undefined;
  return {
    entries: items.slice(0, query.limit).map((item) => toAuditEntry(item, item.eventId as string)),
    next: last && (byRepository ? { PK: last.PK, SK: last.SK } : { PK: last.PK, SK: last.SK, nsKey: last.nsKey }),
  };
}
