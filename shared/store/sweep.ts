/**
 * The sweep's reads and writes: its work queue (the sparse, write-sharded sweepDue index holds only
 * items with work due at some time), and the conditional writes that finalize expiries, purge
 * ranges past the time-machine window and collect unreferenced manifests. Every write re-checks
 * the item it acts on, so a stale index read never clobbers a concurrent change.
 */
import type { StoreContext } from './context.js';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { REGISTRY_INDEX } from './schema.js';
import { SK, allSweepShards, sweepShard } from './keys.js';
import { deleteManifestIndexItems } from './manifests.js';
import type { LiveTag, ManifestRecord, ManifestRefs } from './records.js';
import { dropTombstone } from './tag-writes.js';
import { WriteConflictError, transact } from './transactions.js';
import type { TransactItem } from './transactions.js';

/** `immutability`: a policy still to apply to a repository's alive tags (immutability-policies.ts). */
export type DueKind = 'expire' | 'purge' | 'gc' | 'prune-namespace' | 'prune-repository' | 'immutability';

export interface DueItem {
  /** The repository's key (opaque outside the store) and, for the audit, its names. */
  pk: string;
  namespace: string;
  repository: string;
  /** The item's own key (opaque outside the store). */
  sk: string;
  kind: DueKind;
  /** The manifest a 'gc' item stands for. */
  digest?: string;
  dueAt: number;
  /** Tag name (ranges only), projected into the index so an expiry needs no read of the range. */
  name?: string;
}

/** The queue's shards (opaque names); each is read on its own. */
export const dueShards = (): string[] => allSweepShards();

/** `REPO#ns/name` → its namespace and repository; `NS#ns` (a namespace's auto-prune job) → repository ''. */
function repositoryOf(pk: string): { namespace: string; repository: string } {
  if (pk.startsWith('NS#')) return { namespace: pk.slice('NS#'.length), repository: '' };
  const path = pk.slice('REPO#'.length);
  const slash = path.indexOf('/');
  return { namespace: path.slice(0, slash), repository: path.slice(slash + 1) };
}

/** Items of one shard due at or before `nowMs`, oldest first. */
export async function queryDue(ctx: StoreContext, 
  shard: string,
  nowMs: number,
  limit: number,
  from?: Record<string, unknown>,
): Promise<{ items: DueItem[]; read: number; next?: Record<string, unknown> }> {
  const result = await ctx.client.send(
    new QueryCommand({
      TableName: ctx.tables.registry,
      IndexName: REGISTRY_INDEX.sweepDue,
      KeyConditionExpression: 'dueShard = :shard AND dueAt <= :now',
      ExpressionAttributeValues: { ':shard': shard, ':now': nowMs },
      Limit: limit,
      ExclusiveStartKey: from,
    }),
  );
  const items = (result.Items ?? []).map((item) => ({
    pk: item.PK as string,
    ...repositoryOf(item.PK as string),
    sk: item.SK as string,
    ...((item.SK as string).startsWith(SK.manifestRefsPrefix) ? { digest: (item.SK as string).slice(SK.manifestRefsPrefix.length) } : {}),
    kind: item.dueKind as DueKind,
    dueAt: item.dueAt as number,
    name: item.name as string | undefined,
  }));
  return { items, read: result.ScannedCount ?? items.length, next: result.LastEvaluatedKey };
}

/** Moves an item's due time (the namespace window grew since it was queued). */
export async function reschedule(ctx: StoreContext, pk: string, sk: string, expectedDueAt: number, dueAt: number): Promise<void> {
  await transact(ctx, [
    {
      Update: {
        TableName: ctx.tables.registry,
        Key: { PK: pk, SK: sk },
        UpdateExpression: 'SET dueAt = :dueAt',
        ConditionExpression: 'dueAt = :expected',
        ExpressionAttributeValues: { ':dueAt': dueAt, ':expected': expectedDueAt },
      },
    },
  ]);
}

/**
 * Deletes a closed range past the window and releases its manifest reference; the manifest joins
 * the GC queue when that was its last reference.
 */
export async function purgeRange(ctx: StoreContext, 
  pk: string,
  rangeSK: string,
  dueAt: number,
  manifestRefs: ManifestRefs | null,
  nowMs: number,
  /** The pointer when it is the tombstone of this very range: it goes with it. */
  tombstone: LiveTag | null = null,
) {
  const also: TransactItem[] = tombstone ? [dropTombstone(ctx, pk, tombstone)] : [];
  const deleteRange = {
    Delete: {
      TableName: ctx.tables.registry,
      Key: { PK: pk, SK: rangeSK },
      ConditionExpression: 'attribute_exists(endedBy) AND dueAt = :dueAt',
      ExpressionAttributeValues: { ':dueAt': dueAt },
    },
  };
  if (!manifestRefs) return transact(ctx, [deleteRange, ...also]);
  const lastReference = manifestRefs.refs <= 1;
  const digest = manifestRefs.digest;
  return transact(ctx, [
    deleteRange,
    ...also,
    {
      Update: {
        TableName: ctx.tables.registry,
        Key: { PK: pk, SK: SK.manifestRefs(digest) },
        UpdateExpression: lastReference
          ? 'SET refs = :zero, dueShard = :shard, dueAt = :now, dueKind = :gc'
          : 'SET refs = refs - :one',
        ConditionExpression: 'refs = :refs',
        ExpressionAttributeValues: lastReference
          ? { ':zero': 0, ':shard': sweepShard(pk + digest), ':now': nowMs, ':gc': 'gc', ':refs': manifestRefs.refs }
          : { ':one': 1, ':refs': manifestRefs.refs },
      },
    },
  ]);
}

/** Takes a manifest out of the GC queue (it is held by a stored manifest list). */
export async function unqueueManifest(ctx: StoreContext, pk: string, digest: string, dueAt: number): Promise<void> {
  await transact(ctx, [
    {
      Update: {
        TableName: ctx.tables.registry,
        Key: { PK: pk, SK: SK.manifestRefs(digest) },
        UpdateExpression: 'REMOVE dueShard, dueAt, dueKind',
        ConditionExpression: 'dueAt = :dueAt',
        ExpressionAttributeValues: { ':dueAt': dueAt },
      },
    },
  ]);
}

/** Deletes an unreferenced manifest with its index items; false if it was referenced meanwhile. */
export async function deleteManifest(ctx: StoreContext, pk: string, manifest: ManifestRecord): Promise<boolean> {
  try {
    await transact(ctx, [
      {
        Delete: {
          TableName: ctx.tables.registry,
          Key: { PK: pk, SK: SK.manifestRefs(manifest.digest) },
          ConditionExpression: 'refs = :zero',
          ExpressionAttributeValues: { ':zero': 0 },
        },
      },
      { Delete: { TableName: ctx.tables.registry, Key: { PK: pk, SK: SK.manifest(manifest.digest) } } },
    ]);
  } catch (error) {
    if (error instanceof WriteConflictError) return false;
    throw error;
  }
  await deleteManifestIndexItems(ctx, pk, manifest);
  return true;
}
