/**
 * Tag pointers and history ranges: every read and every write of tags goes through this module.
 * Each mutation is one TransactWriteItems whose conditions make concurrent writers serialize: the
 * live pointer carries a version, a range can be closed only once, and a new range can never
 * overwrite another.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { REGISTRY_INDEX } from '../../infra/tables.js';
import { config } from '../config.js';
import { dynamo } from './client.js';
import { putChange } from './changes.js';
import { SK, activeSK, endSK, manifestKey, sweepShard, tagKey } from './keys.js';
import type { ChangeRecord, LiveTag, RangeEndReason, TagRange } from './records.js';
import { transact } from './transactions.js';
import type { TransactItem } from './transactions.js';

const table = () => config().registryTable;

function toRange(item: Record<string, unknown>): TagRange {
  return {
    name: item.name as string,
    manifestDigest: item.manifestDigest as string,
    start: item.start as number,
    end: item.end as number | undefined,
    reversion: Boolean(item.reversion),
    endedBy: item.endedBy as RangeEndReason | undefined,
  };
}

function toLiveTag(item: Record<string, unknown>): LiveTag {
  return { ...toRange(item), version: item.version as number, rangeSK: item.rangeSK as string };
}

/** A range item with the attributes its indexes are built from (exported for the bench seeder). */
export function rangeItem(pk: string, range: TagRange) {
  const rangeSK = SK.range(range.start, range.name);
  return {
    PK: pk,
    SK: rangeSK,
    type: 'range',
    ...range,
    nameLower: range.name.toLowerCase(),
    tagKey: tagKey(pk, range.name),
    startDesc: rangeSK.slice(SK.rangePrefix.length, SK.rangePrefix.length + 13),
    endPK: pk,
    endSK: endSK(range.end, range.name, range.start),
    ...(range.end !== undefined ? { dueShard: sweepShard(pk + rangeSK), dueAt: range.end, dueKind: 'expire' } : {}),
  };
}

/**
 * The pointer of a tag name mirrors its newest range. While that range is open the pointer carries
 * the keys of the activeTags and tagsByManifest indexes; once it is closed (delete, expiry) the
 * pointer stays as a tombstone without them, so a later create still knows where the name's
 * history ends (its new range must start at or after that end), until the sweep purges the range.
 */
export function pointerItem(pk: string, range: TagRange, version: number) {
  return {
    PK: pk,
    SK: SK.tag(range.name),
    type: 'tag',
    ...range,
    nameLower: range.name.toLowerCase(),
    version,
    rangeSK: SK.range(range.start, range.name),
    ...(range.endedBy === undefined
      ? { activePK: pk, activeSK: activeSK(range.start, range.name), manifestKey: manifestKey(pk, range.manifestDigest) }
      : {}),
  };
}

/** Closes the open range of `current` at `endMs` (or finalizes its past expiry), and queues its purge. */
function closeRange(pk: string, current: LiveTag, endMs: number, reason: RangeEndReason, windowS: number): TransactItem {
  const expiredAlready = reason === 'expired';
  return {
    Update: {
      TableName: table(),
      Key: { PK: pk, SK: current.rangeSK },
      UpdateExpression:
        'SET #end = :end, endedBy = :reason, endSK = :endSK, dueShard = :shard, dueAt = :purgeAt, dueKind = :purge',
      // A range is closed exactly once; finalizing an expiry also requires the end we saw.
      ConditionExpression: expiredAlready
        ? 'attribute_exists(PK) AND attribute_not_exists(endedBy) AND #end = :end'
        : 'attribute_exists(PK) AND attribute_not_exists(endedBy)',
      ExpressionAttributeNames: { '#end': 'end' },
      ExpressionAttributeValues: {
        ':end': endMs,
        ':reason': reason,
        ':endSK': endSK(endMs, current.name, current.start),
        ':shard': sweepShard(pk + current.rangeSK),
        ':purgeAt': endMs + windowS * 1000,
        ':purge': 'purge',
      },
    },
  };
}

/** The condition that `current` is still exactly the live pointer we read (or that none exists). */
function pointerCondition(current: LiveTag | null) {
  return current
    ? { ConditionExpression: 'version = :version', ExpressionAttributeValues: { ':version': current.version } }
    : { ConditionExpression: 'attribute_not_exists(PK)' };
}

/** What happens to the range the pointer showed when a new range opens. */
export type PreviousRange =
  /** No pointer: a brand-new name (or one whose history was purged). */
  | 'none'
  /** Alive: closed now, as moved. */
  | 'open'
  /** Its expiration passed but no sweep finalized it yet: finalized as expired, at its own end. */
  | 'expired'
  /** Already closed (the pointer is a tombstone): left as it is. */
  | 'closed';

export interface RetargetWrite {
  pk: string;
  /** The pointer read before deciding, or null. */
  current: LiveTag | null;
  previous: PreviousRange;
  /** The new open range. */
  range: TagRange;
  windowS: number;
  /** The manifest's writes: its reference count updated, or (ingest) the new manifest put. */
  manifestWrites: TransactItem[];
  changes: ChangeRecord[];
}

/** Create, move or restore: close the current range (if any), open a new one, move the pointer. */
export async function retargetTag(write: RetargetWrite): Promise<void> {
  const { pk, current, range } = write;
  const items: TransactItem[] = [];
  if (current && write.previous === 'open') items.push(closeRange(pk, current, range.start, 'moved', write.windowS));
  if (current && write.previous === 'expired') {
    items.push(closeRange(pk, current, current.end as number, 'expired', write.windowS));
  }
  items.push({
    Put: { TableName: table(), Item: rangeItem(pk, range), ConditionExpression: 'attribute_not_exists(PK)' },
  });
  const pointerGuard = pointerCondition(current);
  items.push({
    Put: { TableName: table(), Item: pointerItem(pk, range, (current?.version ?? 0) + 1), ...pointerGuard },
  });
  items.push(...write.manifestWrites, ...write.changes.map(putChange));
  await transact(items);
}

/** The manifest write of a retarget to an already stored manifest: one more range references it. */
export function referenceManifest(pk: string, digest: string): TransactItem {
  return {
    Update: {
      TableName: table(),
      Key: { PK: pk, SK: SK.manifestRefs(digest) },
      // A referenced manifest leaves the GC queue; the condition fails if GC deleted it meanwhile.
      UpdateExpression: 'ADD refs :one REMOVE dueShard, dueAt, dueKind',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeValues: { ':one': 1 },
    },
  };
}

/** The pointer becomes the tombstone of its closed range. */
function tombstone(pk: string, current: LiveTag, endMs: number, reason: RangeEndReason): TransactItem {
  const closed: TagRange = {
    name: current.name,
    manifestDigest: current.manifestDigest,
    start: current.start,
    end: endMs,
    reversion: current.reversion,
    endedBy: reason,
  };
  return {
    Put: { TableName: table(), Item: pointerItem(pk, closed, current.version + 1), ...pointerCondition(current) },
  };
}

/** Delete: close the range now; the pointer becomes its tombstone. */
export async function deleteTag(pk: string, current: LiveTag, nowMs: number, windowS: number, change: ChangeRecord) {
  await transact([
    closeRange(pk, current, nowMs, 'deleted', windowS),
    tombstone(pk, current, nowMs, 'deleted'),
    putChange(change),
  ]);
}

/** Sets (or with `endMs` undefined, clears) the pending expiration of an alive tag. */
export async function setTagExpiration(pk: string, current: LiveTag, endMs: number | undefined, change: ChangeRecord | null) {
  const updated = { ...current, end: endMs };
  const indexed = rangeItem(pk, updated);
  const rangeUpdate: TransactItem = {
    Update: {
      TableName: table(),
      Key: { PK: pk, SK: current.rangeSK },
      UpdateExpression:
        endMs === undefined
          ? 'SET endSK = :endSK REMOVE #end, dueShard, dueAt, dueKind'
          : 'SET #end = :end, endSK = :endSK, dueShard = :shard, dueAt = :end, dueKind = :expire',
      ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(endedBy)',
      ExpressionAttributeNames: { '#end': 'end' },
      ExpressionAttributeValues:
        endMs === undefined
          ? { ':endSK': indexed.endSK }
          : { ':end': endMs, ':endSK': indexed.endSK, ':shard': indexed.dueShard, ':expire': 'expire' },
    },
  };
  const pointerUpdate: TransactItem = {
    Update: {
      TableName: table(),
      Key: { PK: pk, SK: SK.tag(current.name) },
      UpdateExpression: endMs === undefined ? 'SET version = :next REMOVE #end' : 'SET version = :next, #end = :end',
      ConditionExpression: 'version = :version',
      ExpressionAttributeNames: { '#end': 'end' },
      ExpressionAttributeValues: {
        ':version': current.version,
        ':next': current.version + 1,
        ...(endMs === undefined ? {} : { ':end': endMs }),
      },
    },
  };
  await transact([rangeUpdate, pointerUpdate, ...(change ? [putChange(change)] : [])]);
}

/** Finalizes a tag whose expiration has passed (the sweep): the range is closed, the pointer a tombstone. */
export async function finalizeExpiredTag(pk: string, current: LiveTag, windowS: number, change: ChangeRecord) {
  await transact([
    closeRange(pk, current, current.end as number, 'expired', windowS),
    tombstone(pk, current, current.end as number, 'expired'),
    putChange(change),
  ]);
}

/** The delete of a tombstone, when the sweep purges the range it mirrors. */
export function dropTombstone(pk: string, pointer: LiveTag): TransactItem {
  return { Delete: { TableName: table(), Key: { PK: pk, SK: SK.tag(pointer.name) }, ...pointerCondition(pointer) } };
}

// ---------------------------------------------------------------------------------------------
// Reads

/**
 * The pointer of a tag name, strongly consistent: the alive range, one whose expiration passed
 * (callers check `end`), or the tombstone of the last closed range (`endedBy` set).
 */
export async function getLiveTag(pk: string, name: string): Promise<LiveTag | null> {
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: table(), Key: { PK: pk, SK: SK.tag(name) }, ConsistentRead: true }),
  );
  return Item ? toLiveTag(Item) : null;
}

/** An opaque position in a query: DynamoDB's LastEvaluatedKey. */
export type QueryPosition = Record<string, unknown>;

export interface RangePage {
  ranges: TagRange[];
  /** Where the next page starts; undefined when nothing more matched. */
  next?: QueryPosition;
}

export type HistoryFilter =
  | { kind: 'all' }
  | { kind: 'tag'; name: string }
  | { kind: 'active'; nowMs: number };

export interface HistoryQuery {
  pk: string;
  filter: HistoryFilter;
  /** Case-insensitive substring on the name (Quay's `like:`), evaluated as a DynamoDB filter. */
  nameContains?: string;
  /** Items to skip before the page (Quay's offset pages). */
  skip: number;
  /** Rows wanted; one more is read to tell whether more exist. */
  limit: number;
  from?: QueryPosition;
  /** Upper bound on items DynamoDB reads for this page (keeps filtered pages from scanning history). */
  readBudget: number;
}

function historyQueryInput(query: HistoryQuery): QueryCommandInput {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const filters: string[] = [];
  let input: QueryCommandInput;
  switch (query.filter.kind) {
    case 'all':
      input = {
        TableName: table(),
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ConsistentRead: true,
      };
      values[':pk'] = query.pk;
      values[':prefix'] = SK.rangePrefix;
      break;
    case 'tag':
      input = { TableName: table(), IndexName: REGISTRY_INDEX.tagHistory, KeyConditionExpression: 'tagKey = :key' };
      values[':key'] = tagKey(query.pk, query.filter.name);
      break;
    case 'active':
      input = { TableName: table(), IndexName: REGISTRY_INDEX.activeTags, KeyConditionExpression: 'activePK = :pk' };
      values[':pk'] = query.pk;
      // Expiry is exact at read time: a pointer whose end has passed is dead even before the sweep.
      filters.push('(attribute_not_exists(#end) OR #end > :now)');
      names['#end'] = 'end';
      values[':now'] = query.filter.nowMs;
      break;
  }
  if (query.nameContains !== undefined) {
    filters.push('contains(nameLower, :needle)');
    values[':needle'] = query.nameContains.toLowerCase();
  }
  return {
    ...input,
    ...(filters.length ? { FilterExpression: filters.join(' AND ') } : {}),
    ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
    ExpressionAttributeValues: values,
    ExclusiveStartKey: query.from,
  };
}

/**
 * A page of history, newest start first then by name. Reads `skip + limit + 1` matching items at
 * most, and never more than `readBudget` items in all: when the budget runs out first, the page is
 * returned short with `next` set so the caller can continue with a cursor.
 */
export async function queryHistory(query: HistoryQuery): Promise<RangePage & { hasMore: boolean }> {
  const input = historyQueryInput(query);
  const wanted = query.skip + query.limit + 1;
  const matched: { range: TagRange; key: QueryPosition }[] = [];
  let from = query.from;
  let read = 0;
  do {
    const result = await dynamo().send(
      new QueryCommand({ ...input, ExclusiveStartKey: from, Limit: Math.min(wanted - matched.length, query.readBudget - read) }),
    );
    read += result.ScannedCount ?? 0;
    for (const item of result.Items ?? []) matched.push({ range: toRange(item), key: keyOf(item, query.filter.kind) });
    from = result.LastEvaluatedKey;
  } while (from && matched.length < wanted && read < query.readBudget);

  const page = matched.slice(query.skip, query.skip + query.limit);
  if (matched.length >= wanted) {
    // A match exists beyond the page: resume right after the page's last row.
    return { ranges: page.map((entry) => entry.range), next: page.at(-1)!.key, hasMore: true };
  }
  if (!from) return { ranges: page.map((entry) => entry.range), hasMore: false };
  // The read budget ran out before we knew: resume where DynamoDB stopped reading.
  return { ranges: page.map((entry) => entry.range), next: from, hasMore: true };
}

/** The LastEvaluatedKey DynamoDB would give after `item`, to resume right behind it. */
function keyOf(item: Record<string, unknown>, filter: HistoryFilter['kind']): QueryPosition {
  const key: QueryPosition = { PK: item.PK, SK: item.SK };
  if (filter === 'tag') {
    key.tagKey = item.tagKey;
    key.startDesc = item.startDesc;
  }
  if (filter === 'active') {
    key.activePK = item.activePK;
    key.activeSK = item.activeSK;
  }
  return key;
}

/**
 * Tags alive at instant `atMs`: ranges that started at or before it and had not ended. Reads the
 * ranges ending after `atMs` (rangesByEnd), so its cost grows with what changed since then, not
 * with the whole history; it stops after `readBudget` items (`complete: false`).
 */
export async function tagsAliveAt(pk: string, atMs: number, readBudget = 5000): Promise<{ ranges: TagRange[]; complete: boolean }> {
  const alive: TagRange[] = [];
  let from: QueryPosition | undefined;
  let read = 0;
  do {
    const result = await dynamo().send(
      new QueryCommand({
        TableName: table(),
        IndexName: REGISTRY_INDEX.rangesByEnd,
        KeyConditionExpression: 'endPK = :pk AND endSK > :after',
        FilterExpression: '#start <= :at',
        ExpressionAttributeNames: { '#start': 'start' },
        ExpressionAttributeValues: { ':pk': pk, ':after': endSK(atMs, '~', 0), ':at': atMs },
        ExclusiveStartKey: from,
        Limit: readBudget - read,
      }),
    );
    read += result.ScannedCount ?? 0;
    alive.push(...(result.Items ?? []).map(toRange));
    from = result.LastEvaluatedKey;
  } while (from && read < readBudget);
  // Quay's list order: newest start first, then by name (code-point order, as the keys sort).
  alive.sort((a, b) => b.start - a.start || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { ranges: alive, complete: from === undefined };
}

/**
 * Whether any alive tag (other than `exceptName`) points at the manifest (tagsByManifest; expired
 * pointers do not count).
 */
export async function hasAliveTag(pk: string, digest: string, nowMs: number, exceptName?: string): Promise<boolean> {
  let from: QueryPosition | undefined;
  do {
    const result = await dynamo().send(
      new QueryCommand({
        TableName: table(),
        IndexName: REGISTRY_INDEX.tagsByManifest,
        KeyConditionExpression: 'manifestKey = :key',
        FilterExpression: 'attribute_not_exists(#end) OR #end > :now',
        ExpressionAttributeNames: { '#end': 'end' },
        ExpressionAttributeValues: { ':key': manifestKey(pk, digest), ':now': nowMs },
        ExclusiveStartKey: from,
        Limit: 25,
      }),
    );
    if (result.Items?.some((item) => item.name !== exceptName)) return true;
    from = result.LastEvaluatedKey;
  } while (from);
  return false;
}

/** Alive tag names in lexical order (the /v2 tag list), starting after `after`. */
export async function listAliveTagNames(pk: string, nowMs: number, limit: number, after?: string) {
  const names: string[] = [];
  let from: QueryPosition | undefined = after ? { PK: pk, SK: SK.tag(after) } : undefined;
  do {
    const result = await dynamo().send(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        // Tombstones (closed) and passed expirations are not alive.
        FilterExpression: 'attribute_not_exists(endedBy) AND (attribute_not_exists(#end) OR #end > :now)',
        ProjectionExpression: '#name',
        ExpressionAttributeNames: { '#end': 'end', '#name': 'name' },
        ExpressionAttributeValues: { ':pk': pk, ':prefix': SK.tagPrefix, ':now': nowMs },
        ExclusiveStartKey: from,
        Limit: limit + 1 - names.length,
        ConsistentRead: true,
      }),
    );
    names.push(...(result.Items ?? []).map((item) => item.name as string));
    from = result.LastEvaluatedKey;
  } while (from && names.length <= limit);
  return { names: names.slice(0, limit), hasMore: names.length > limit };
}

/** One range item by key (strongly consistent), with its queue position. */
export async function getRange(pk: string, rangeSK: string): Promise<(TagRange & { dueAt?: number }) | null> {
  const { Item } = await dynamo().send(new GetCommand({ TableName: table(), Key: { PK: pk, SK: rangeSK }, ConsistentRead: true }));
  return Item ? { ...toRange(Item), dueAt: Item.dueAt as number | undefined } : null;
}
