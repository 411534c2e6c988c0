/**
 * Reads of tag pointers and history ranges. Every multi-page read runs on the one page iterator
 * (reads.ts queryPages); every resume position it hands out or accepts is built and checked here,
 * next to the query it belongs to. Reads of an index are eventually consistent on AWS: a decision
 * a client can observe right after its own write re-checks the base table (hasAliveTag).
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { StoreContext } from './context.js';
import { SK, manifestKey, tagKey } from './keys.js';
import { checkPosition, queryPages } from './reads.js';
import type { Item, QueryPosition } from './reads.js';
import type { LiveTag, RangeEndReason, TagRange } from './records.js';
import { REGISTRY_INDEX } from './schema.js';

export function toRange(item: Item): TagRange {
  return {
    name: item.name as string,
    manifestDigest: item.manifestDigest as string,
    start: item.start as number,
    end: item.end as number | undefined,
    reversion: Boolean(item.reversion),
    endedBy: item.endedBy as RangeEndReason | undefined,
    ...(item.immutable === true ? { immutable: true } : {}),
    ...(item.immutable === true && typeof item.immutablePolicy === 'string' ? { immutablePolicy: item.immutablePolicy } : {}),
  };
}

function toLiveTag(item: Item): LiveTag {
  return {
    ...toRange(item),
    version: item.version as number,
    rangeSK: item.rangeSK as string,
    ...(item.immutable === true ? { immutable: true } : {}),
  };
}

/**
 * The pointer of a tag name, strongly consistent: the alive range, one whose expiration passed
 * (callers check `end`), or the tombstone of the last closed range (`endedBy` set).
 */
export async function getLiveTag(ctx: StoreContext, pk: string, name: string): Promise<LiveTag | null> {
  const { Item } = await ctx.client.send(
    new GetCommand({ TableName: ctx.tables.registry, Key: { PK: pk, SK: SK.tag(name) }, ConsistentRead: true }),
  );
  return Item ? toLiveTag(Item) : null;
}

export interface RangePage {
  ranges: TagRange[];
  /** Where the next page starts (opaque; give it back as `from`); undefined when nothing more matched. */
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
  /** A `next` this query returned earlier (from a client's cursor: checked, InvalidPositionError). */
  from?: unknown;
  /** Upper bound on items DynamoDB reads for this page (keeps filtered pages from scanning history). */
  readBudget: number;
}

/** `H#<13 digits>#<tag>`: a history range's sort key (SK.range), with its start and name. */
const RANGE_SK = /^H#(\d{13})#(.+)$/;
/** `<13 digits>#<tag>`: the activeTags index sort key (activeSK). */
const ACTIVE_SK = /^\d{13}#./;

function rangeKeyParts(sk: string): { startDesc: string; name: string } | null {
  const match = RANGE_SK.exec(sk);
  return match ? { startDesc: match[1], name: match[2] } : null;
}

/**
 * Where each history listing reads, and the position contract of its pages: the key attributes of
 * the position (DynamoDB's LastEvaluatedKey for that table or index) and what they must hold.
 */
function historySource(ctx: StoreContext, pk: string, filter: HistoryFilter) {
  const table = ctx.tables.registry;
  switch (filter.kind) {
    case 'all':
      return {
        input: { TableName: table, KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)', ConsistentRead: true },
        values: { ':pk': pk, ':prefix': SK.rangePrefix },
        keys: ['PK', 'SK'],
        valid: (key: Record<string, string>) => key.PK === pk && rangeKeyParts(key.SK) !== null,
      };
    case 'tag':
      return {
        input: { TableName: table, IndexName: REGISTRY_INDEX.tagHistory, KeyConditionExpression: 'tagKey = :key' },
        values: { ':key': tagKey(pk, filter.name) },
        keys: ['PK', 'SK', 'tagKey', 'startDesc'],
        valid: (key: Record<string, string>) => {
          const range = rangeKeyParts(key.SK);
          return key.PK === pk && key.tagKey === tagKey(pk, filter.name) && range?.name === filter.name && range.startDesc === key.startDesc;
        },
      };
    case 'active':
      return {
        input: { TableName: table, IndexName: REGISTRY_INDEX.activeTags, KeyConditionExpression: 'activePK = :pk' },
        values: { ':pk': pk },
        keys: ['PK', 'SK', 'activePK', 'activeSK'],
        valid: (key: Record<string, string>) => {
          const name = key.SK.startsWith(SK.tagPrefix) ? key.SK.slice(SK.tagPrefix.length) : '';
          return key.PK === pk && key.activePK === pk && name !== '' && ACTIVE_SK.test(key.activeSK) && key.activeSK.slice(14) === name;
        },
      };
  }
}

function historyQueryInput(ctx: StoreContext, query: HistoryQuery) {
  const source = historySource(ctx, query.pk, query.filter);
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ...source.values };
  const filters: string[] = [];
  if (query.filter.kind === 'active') {
    // Expiry is exact at read time: a pointer whose end has passed is dead even before the sweep.
    filters.push('(attribute_not_exists(#end) OR #end > :now)');
    names['#end'] = 'end';
    values[':now'] = query.filter.nowMs;
  }
  if (query.nameContains !== undefined) {
    filters.push('contains(nameLower, :needle)');
    values[':needle'] = query.nameContains.toLowerCase();
  }
  const input: QueryCommandInput = {
    ...source.input,
    ...(filters.length ? { FilterExpression: filters.join(' AND ') } : {}),
    ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
    ExpressionAttributeValues: values,
  };
  return { input, keys: source.keys, valid: source.valid };
}

/**
 * A page of history, newest start first then by name. Reads `skip + limit + 1` matching items at
 * most, and never more than `readBudget` items in all: when the budget runs out first, the page is
 * returned short with `next` set so the caller can continue with a cursor.
 */
export async function queryHistory(ctx: StoreContext, query: HistoryQuery): Promise<RangePage & { hasMore: boolean }> {
  const { input, keys, valid } = historyQueryInput(ctx, query);
  const from = query.from === undefined ? undefined : checkPosition(query.from, keys, valid);
  const wanted = query.skip + query.limit + 1;
  const matched: { range: TagRange; key: QueryPosition }[] = [];
  let read = 0;
  const stoppedAt = await queryPages(ctx, input, {
    from,
    limit: () => Math.min(wanted - matched.length, query.readBudget - read),
    onPage: (items, scanned) => {
      read += scanned;
      // The position DynamoDB would give after each item, to resume right behind it.
      for (const item of items) matched.push({ range: toRange(item), key: Object.fromEntries(keys.map((name) => [name, item[name]])) });
      return matched.length < wanted && read < query.readBudget;
    },
  });

  const page = matched.slice(query.skip, query.skip + query.limit);
  const ranges = page.map((entry) => entry.range);
  // A match exists beyond the page: resume right after the page's last row.
  if (matched.length >= wanted) return { ranges, next: page.at(-1)!.key, hasMore: true };
  if (!stoppedAt) return { ranges, hasMore: false };
  // The read budget ran out before we knew: resume where DynamoDB stopped reading.
  return { ranges, next: stoppedAt, hasMore: true };
}

/**
 * A tag (other than `exceptName`) the tagsByManifest index shows alive at the manifest, or null.
 * Eventually consistent on AWS: a candidate for a transaction condition to confirm, or the answer
 * of a view documented as such (the `owned` images view).
 */
export async function indexedAliveTagAt(ctx: StoreContext, pk: string, digest: string, nowMs: number, exceptName?: string): Promise<string | null> {
  let found: string | null = null;
  const input: QueryCommandInput = {
    TableName: ctx.tables.registry,
    IndexName: REGISTRY_INDEX.tagsByManifest,
    KeyConditionExpression: 'manifestKey = :key',
    FilterExpression: 'attribute_not_exists(#end) OR #end > :now',
    ExpressionAttributeNames: { '#end': 'end' },
    ExpressionAttributeValues: { ':key': manifestKey(pk, digest), ':now': nowMs },
  };
  await queryPages(ctx, input, {
    limit: () => 25,
    onPage: (items) => (found = (items.find((item) => item.name !== exceptName)?.name as string | undefined) ?? null) === null,
  });
  return found;
}

/**
 * A tag whose pointer is alive at the manifest, or null, read on the base table only, strongly
 * consistent, never the tagsByManifest index (eventually consistent on AWS): a decision a client
 * observes right after its own writes (PUT a tag to the digest it just pushed) rests on this or on
 * a transaction condition (tag-writes.ts `witness`), never on an index read alone. The reference count
 * answers most cases in one or two reads: no ranges reference it (0: no alive tag), or the tag that
 * referenced it last (recorded by the same transaction) still points at it. Otherwise the
 * repository's pointers are read, filtered to those alive at this manifest.
 */
export async function aliveTagAt(ctx: StoreContext, pk: string, digest: string, nowMs: number): Promise<string | null> {
  const { Item: refs } = await ctx.client.send(
    new GetCommand({ TableName: ctx.tables.registry, Key: { PK: pk, SK: SK.manifestRefs(digest) }, ConsistentRead: true }),
  );
  if (!refs || !((refs.refs as number) > 0)) return null;
  const lastTag = refs.lastTag as string | undefined;
  if (lastTag !== undefined) {
    const { Item } = await ctx.client.send(
      new GetCommand({ TableName: ctx.tables.registry, Key: { PK: pk, SK: SK.tag(lastTag) }, ConsistentRead: true }),
    );
    const alive = Item !== undefined && Item.manifestDigest === digest && Item.endedBy === undefined && (Item.end === undefined || (Item.end as number) > nowMs);
    if (alive) return lastTag;
  }
  let found: string | null = null;
  await queryPages(
    ctx,
    {
      TableName: ctx.tables.registry,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      FilterExpression: 'manifestDigest = :digest AND attribute_not_exists(endedBy) AND (attribute_not_exists(#end) OR #end > :now)',
      ProjectionExpression: '#name',
      ExpressionAttributeNames: { '#end': 'end', '#name': 'name' },
      ExpressionAttributeValues: { ':pk': pk, ':prefix': SK.tagPrefix, ':digest': digest, ':now': nowMs },
      ConsistentRead: true,
    },
    { onPage: (items) => (found = (items[0]?.name as string | undefined) ?? null) === null },
  );
  return found;
}

/** Alive tag names in lexical order (the /v2 tag list), starting after `after`. */
export async function listAliveTagNames(ctx: StoreContext, pk: string, nowMs: number, limit: number, after?: string) {
  const { tags, hasMore } = await alivePointers(ctx, pk, nowMs, limit, after, true);
  return { names: tags.map((tag) => tag.name as string), hasMore };
}

/** Alive tag pointers in lexical order after `after` (strongly consistent): bulk marking pages through them. */
export async function listAliveTags(ctx: StoreContext, pk: string, nowMs: number, limit: number, after?: string) {
  const { tags, hasMore } = await alivePointers(ctx, pk, nowMs, limit, after, false);
  return { tags: tags.map(toLiveTag), hasMore };
}

async function alivePointers(ctx: StoreContext, pk: string, nowMs: number, limit: number, after: string | undefined, namesOnly: boolean) {
  const tags: Item[] = [];
  await queryPages(
    ctx,
    {
      TableName: ctx.tables.registry,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      // Tombstones (closed) and passed expirations are not alive.
      FilterExpression: 'attribute_not_exists(endedBy) AND (attribute_not_exists(#end) OR #end > :now)',
      ...(namesOnly ? { ProjectionExpression: '#name' } : {}),
      ExpressionAttributeNames: { '#end': 'end', ...(namesOnly ? { '#name': 'name' } : {}) },
      ExpressionAttributeValues: { ':pk': pk, ':prefix': SK.tagPrefix, ':now': nowMs },
      ConsistentRead: true,
    },
    {
      from: after ? { PK: pk, SK: SK.tag(after) } : undefined,
      limit: () => limit + 1 - tags.length,
      onPage: (items) => (tags.push(...items), tags.length <= limit),
    },
  );
  return { tags: tags.slice(0, limit), hasMore: tags.length > limit };
}

/** One range item by key (strongly consistent), with its queue position. */
export async function getRange(ctx: StoreContext, pk: string, rangeSK: string): Promise<(TagRange & { dueAt?: number }) | null> {
  const { Item } = await ctx.client.send(new GetCommand({ TableName: ctx.tables.registry, Key: { PK: pk, SK: rangeSK }, ConsistentRead: true }));
  return Item ? { ...toRange(Item), dueAt: Item.dueAt as number | undefined } : null;
}
