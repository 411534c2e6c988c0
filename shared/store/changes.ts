/** Outbox change items: the audit record of a mutation, written inside the mutation's transaction. */
import type { StoreContext } from './context.js';
import { randomUUID } from 'node:crypto';
import { TTL_ATTRIBUTE } from './schema.js';
import { SK, namespacePK, repoPK } from './keys.js';
import type { ChangeRecord, TagRange, TagSubject } from './records.js';
import type { TransactItem } from './transactions.js';

/** Change items only need to live until the stream consumer has read them (stream retention: 24 h). */
const CHANGE_TTL_S = 2 * 24 * 3600;

export function changePK(change: Pick<ChangeRecord, 'namespace' | 'repository'>): string {
  return change.repository === null ? namespacePK(change.namespace) : repoPK(change.namespace, change.repository);
}

/** A tag change about `range` (its tag and manifest), after a move from `previousDigest` if any. */
export function aboutTag(change: ChangeRecord, range: Pick<TagRange, 'name' | 'manifestDigest' | 'end'>, previousDigest: string | null = null): ChangeRecord {
  const subject: TagSubject = { tag: range.name, manifestDigest: range.manifestDigest, previousManifestDigest: previousDigest, expirationMs: range.end ?? null };
  return { ...change, subject };
}

export function putChange(ctx: StoreContext, change: ChangeRecord): TransactItem {
  // The change's id: the stream consumers key on it (tag events carry it for deduplication).
  const changeId = randomUUID();
  return {
    Put: {
      TableName: ctx.tables.registry,
      Item: {
        PK: changePK(change),
        SK: SK.change(change.at, changeId),
        type: 'change',
        changeId,
        ...change,
        [TTL_ATTRIBUTE]: Math.floor(change.at / 1000) + CHANGE_TTL_S,
      },
      ConditionExpression: 'attribute_not_exists(PK)',
    },
  };
}

/** A change item as the stream carries it (unmarshalled), with its id; null for any other item. */
export function changeOfItem(item: Record<string, unknown>): { id: string; change: ChangeRecord } | null {
  if (item.type !== 'change' || typeof item.kind !== 'string' || typeof item.namespace !== 'string' || typeof item.at !== 'number') return null;
  const change: ChangeRecord = {
    kind: item.kind,
    namespace: item.namespace,
    repository: typeof item.repository === 'string' ? item.repository : null,
    performer: (item.performer as ChangeRecord['performer'] | undefined) ?? null,
    ip: typeof item.ip === 'string' ? item.ip : null,
    at: item.at,
    metadata: (item.metadata as Record<string, unknown> | undefined) ?? {},
  };
  if (item.subject && typeof item.subject === 'object') change.subject = item.subject as TagSubject;
  // Items written before change ids existed: the key's uuid is the id.
  const id = typeof item.changeId === 'string' ? item.changeId : String(item.SK).split('#').pop() as string;
  return { id, change };
}
