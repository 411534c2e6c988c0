/**
 * Direct seeding of large histories: BatchWriteItem of items shaped exactly as the store writes
 * them: range, pointer and manifest items come from the store's own builders (shared/store/tag-writes.ts
 * `rangeItem`, `pointerItem`; shared/store/manifests.ts `newManifestItems`), and a closed range is
 * what `closeRange` leaves.
 * No audit change items are written: they are an outbox with a TTL, read only by the stream.
 */
import { BatchWriteCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { localDynamoClient } from '../../infra/local/tables.js';
import { REGISTRY_INDEX } from '../../shared/store/schema.js';
import { manifestRecord } from '../../shared/domain/ingest.js';
import { parseManifest } from '../../shared/domain/manifest.js';
import { SK, sweepShard, tagKey } from '../../shared/store/keys.js';
import { pointerItem as storePointerItem, rangeItem as storeRangeItem } from '../../shared/store/tag-writes.js';
import { manifestIndexItems, newManifestItems } from '../../shared/store/manifests.js';
import type { RangeEndReason, TagRange } from '../../shared/store/records.js';
import { imageManifest } from './manifests.js';
import type { BuiltManifest } from './manifests.js';

export type Item = Record<string, unknown>;

export function seedClient(endpoint: string): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(localDynamoClient(endpoint), { marshallOptions: { removeUndefinedValues: true } });
}

type WriteRequest = { PutRequest: { Item: Item } } | { DeleteRequest: { Key: Item } };

/** Writes requests in batches of 25 with a few batches in flight, retrying unprocessed items. */
export async function batchWrite(client: DynamoDBDocumentClient, table: string, requests: WriteRequest[], parallel = 4): Promise<void> {
  const batches: WriteRequest[][] = [];
  for (let offset = 0; offset < requests.length; offset += 25) batches.push(requests.slice(offset, offset + 25));
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      let pending: WriteRequest[] | undefined = batches[next++];
      for (let attempt = 0; pending && pending.length; attempt++) {
        if (attempt) await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
        const result = await client.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
        pending = result.UnprocessedItems?.[table] as WriteRequest[] | undefined;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, batches.length) }, worker));
}

export const putAll = (client: DynamoDBDocumentClient, table: string, items: Item[], parallel?: number) =>
  batchWrite(client, table, items.map((Item) => ({ PutRequest: { Item } })), parallel);

export const deleteAll = (client: DynamoDBDocumentClient, table: string, keys: Item[], parallel?: number) =>
  batchWrite(client, table, keys.map((Key) => ({ DeleteRequest: { Key: { PK: Key.PK, SK: Key.SK } } })), parallel);

// ---------------------------------------------------------------------------------------------
// Item shapes (shared/store/tag-writes.ts)

/** The store's own range item builder (shared/store/tag-writes.ts). */
export const rangeItem = (pk: string, range: TagRange): Item => storeRangeItem(pk, range);

/** A range as tag-writes.ts closeRange leaves it: ended, queued for purge at end + window. */
export function closedRangeItem(pk: string, range: TagRange & { end: number }, reason: RangeEndReason, windowS: number): Item {
  const item = rangeItem(pk, { ...range, endedBy: reason });
  return { ...item, dueShard: sweepShard(pk + (item.SK as string)), dueAt: range.end + windowS * 1000, dueKind: 'purge' };
}

/** The store's own pointer item builder (shared/store/tag-writes.ts). */
export const pointerItem = (pk: string, range: TagRange, version: number): Item => storePointerItem(pk, range, version);

// ---------------------------------------------------------------------------------------------
// Manifests

export interface SeedManifest {
  built: BuiltManifest;
  digest: string;
  /** Leaf legacy image id (the tag view's docker_image_id). */
  imageId: string;
  record: ReturnType<typeof manifestRecord>;
}

export function makeManifests(count: number, pushedAt: number): SeedManifest[] {
  return Array.from({ length: count }, () => {
    const built = imageManifest({ layerCount: 2 });
    const bytes = new TextEncoder().encode(built.body);
    const record = manifestRecord(parseManifest(bytes, built.mediaType), bytes, pushedAt);
    return { built, digest: record.digest, imageId: record.legacyChain[0], record };
  });
}

/** The manifest and reference-count items (the store's newManifestItems) and its legacy-image index items. */
export function manifestItems(pk: string, manifest: SeedManifest, refs: number): Item[] {
  return [...newManifestItems(pk, manifest.record, refs, null), ...manifestIndexItems(pk, manifest.record)];
}

// ---------------------------------------------------------------------------------------------
// Histories

export interface HistoryPlan {
  pk: string;
  /** The tag name each event (create or move) applies to, oldest first. */
  events: string[];
  manifests: SeedManifest[];
  /** Start of event 0, epoch ms; event j starts at t0 + j * stepMs. */
  t0: number;
  stepMs: number;
  windowS: number;
}

export interface SeededHistory {
  pk: string;
  items: Item[];
  ranges: TagRange[];
  /** Alive ranges by name (the pointers' ranges). */
  alive: Map<string, TagRange>;
  /** Ranges per name. */
  perName: Map<string, number>;
  refs: Map<string, number>;
  /** Items that a move or restore of `name` changes (for resetting the repository between rounds). */
  mutableItemsOf(name: string): Item[];
  manifestItems: Item[];
}

/** Builds every item of a repository history: ranges (closed by moves), pointers, manifests with refs. */
export function buildHistory(plan: HistoryPlan): SeededHistory {
  const { pk } = plan;
  const ranges: TagRange[] = plan.events.map((name, index) => ({
    name,
    manifestDigest: plan.manifests[index % plan.manifests.length].digest,
    start: plan.t0 + index * plan.stepMs,
    reversion: false,
  }));
  const lastOf = new Map<string, TagRange>();
  const perName = new Map<string, number>();
  const versions = new Map<string, number>();
  const rangeItems: Item[] = [];
  const byName = new Map<string, TagRange[]>();
  for (const range of ranges) {
    const list = byName.get(range.name) ?? [];
    list.push(range);
    byName.set(range.name, list);
  }
  const itemsByName = new Map<string, Item[]>();
  for (const [name, list] of byName) {
    const own: Item[] = [];
    list.forEach((range, index) => {
      const next = list[index + 1];
      if (next) {
        // A move: the old range ends where the new one starts.
        range.end = next.start;
        range.endedBy = 'moved';
        own.push(closedRangeItem(pk, range as TagRange & { end: number }, 'moved', plan.windowS));
      } else {
        own.push(rangeItem(pk, range));
      }
    });
    rangeItems.push(...own);
    itemsByName.set(name, own);
    lastOf.set(name, list[list.length - 1]);
    perName.set(name, list.length);
    versions.set(name, list.length);
  }
  const pointers = new Map<string, Item>();
  for (const [name, range] of lastOf) pointers.set(name, pointerItem(pk, range, versions.get(name) ?? 1));
  const refs = new Map<string, number>();
  for (const range of ranges) refs.set(range.manifestDigest, (refs.get(range.manifestDigest) ?? 0) + 1);
  const manifests = plan.manifests.flatMap((manifest) => manifestItems(pk, manifest, refs.get(manifest.digest) ?? 0));
  return {
    pk,
    items: [...manifests, ...pointers.values(), ...rangeItems],
    ranges,
    alive: lastOf,
    perName,
    refs,
    manifestItems: manifests,
    mutableItemsOf: (name) => {
      const own = itemsByName.get(name) ?? [];
      const pointer = pointers.get(name);
      return [...(own.length ? [own[own.length - 1]] : []), ...(pointer ? [pointer] : []), ...manifests];
    },
  };
}

/** Deletes what mutations of `name` added to a seeded repository since seeding (ranges, changes). */
export async function removeAddedRanges(client: DynamoDBDocumentClient, table: string, pk: string, name: string, seededUntil: number) {
  const keys: Item[] = [];
  let from: Item | undefined;
  do {
    const result: QueryCommandOutput = await client.send(
      new QueryCommand({
        TableName: table,
        IndexName: REGISTRY_INDEX.tagHistory,
        KeyConditionExpression: 'tagKey = :key',
        ExpressionAttributeValues: { ':key': tagKey(pk, name) },
        ExclusiveStartKey: from,
      }),
    );
    let older = false;
    for (const item of result.Items ?? []) {
      if ((item.start as number) > seededUntil) keys.push({ PK: item.PK, SK: item.SK });
      else older = true;
    }
    from = older ? undefined : result.LastEvaluatedKey;
  } while (from);
  from = undefined;
  do {
    const result: QueryCommandOutput = await client.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': SK.changePrefix },
        ProjectionExpression: 'PK, SK',
        ExclusiveStartKey: from,
      }),
    );
    keys.push(...(result.Items ?? []));
    from = result.LastEvaluatedKey;
  } while (from);
  if (keys.length) await deleteAll(client, table, keys);
  return keys.length;
}
