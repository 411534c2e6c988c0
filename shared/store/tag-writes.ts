/**
 * Writes of tag pointers and history ranges (reads: tag-reads.ts). Each mutation is one TransactWriteItems whose conditions make concurrent writers serialize: the
 * live pointer carries a version, a range can be closed only once, and a new range can never
 * overwrite another.
 */
import type { StoreContext } from './context.js';
import { aboutTag, putChange } from './changes.js';
import { SK, activeSK, endSK, manifestKey, sweepShard, tagKey } from './keys.js';
import { putNewManifest } from './manifests.js';
import type { ChangeRecord, LiveTag, ManifestRecord, RangeEndReason, TagExpectation, TagRange } from './records.js';
import { pointerCondition } from './pointer-guard.js';
import { WriteConflictError, transact } from './transactions.js';
import type { TransactItem } from './transactions.js';

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
function closeRange(ctx: StoreContext, pk: string, current: LiveTag, endMs: number, reason: RangeEndReason, windowS: number): TransactItem {
  const expiredAlready = reason === 'expired';
  return {
    Update: {
      TableName: ctx.tables.registry,
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
  /**
   * The manifest the new range points at: already stored (one more reference; the write fails if
   * it was collected meanwhile), or new (ingest by tag: stored by the same transaction).
   */
  manifest: { kind: 'stored' } | { kind: 'new'; record: ManifestRecord };
  /**
   * The tag that makes the target reachable (an alive tag at `digest`: the manifest itself or a
   * list holding it), as read, possibly from an index: the transaction holds only if it still is.
   */
  witness?: { tag: string; digest: string; nowMs: number };
  /** A client's precondition on the pointer (If-Match / If-None-Match), checked at `nowMs`. */
  expect?: { expectation: TagExpectation; nowMs: number };
  changes: ChangeRecord[];
}

/** Create, move or restore: close the current range (if any), open a new one, move the pointer. */
export async function retargetTag(ctx: StoreContext, write: RetargetWrite): Promise<void> {
  await transact(ctx, retargetItems(ctx, write));
}

/** The items of one retarget (a batch puts several in one transaction). */
export function retargetItems(ctx: StoreContext, write: RetargetWrite, ownItemsOnly = false): TransactItem[] {
  const { pk, current, range } = write;
  const items: TransactItem[] = [];
  if (current && write.previous === 'open') items.push(closeRange(ctx, pk, current, range.start, 'moved', write.windowS));
  if (current && write.previous === 'expired') {
    items.push(closeRange(ctx, pk, current, current.end as number, 'expired', write.windowS));
  }
  items.push({
    Put: { TableName: ctx.tables.registry, Item: rangeItem(pk, range), ConditionExpression: 'attribute_not_exists(PK)' },
  });
  if (write.witness && !ownItemsOnly) items.push(...witnessCheck(ctx, write));
  const pointerGuard = pointerCondition(current, { ...write.expect && { expect: write.expect.expectation, nowMs: write.expect.nowMs } });
  items.push({
    Put: { TableName: ctx.tables.registry, Item: pointerItem(pk, range, (current?.version ?? 0) + 1), ...pointerGuard },
  });
  if (!ownItemsOnly) {
    items.push(
      ...(write.manifest.kind === 'new'
        ? putNewManifest(ctx, pk, write.manifest.record, 1, null, range.name)
        : [referenceManifest(ctx, pk, range.manifestDigest, range.name)]),
    );
  }
  // A passed expiry finalized on the way is about the replaced range; the rest about the new one.
  const moved = current && write.previous === 'open' ? current.manifestDigest : null;
  const subjectOf = (change: ChangeRecord) =>
    change.kind === 'tag_expired' && current ? aboutTag(change, current) : aboutTag(change, range, moved);
  items.push(...write.changes.map((change) => putChange(ctx, subjectOf(change))));
  return items;
}

/** The condition that the witness tag is alive at its manifest (the retargeted tag's own pointer: checked on what was read). */
export function witnessCheck(ctx: StoreContext, write: RetargetWrite): TransactItem[] {
  const { witness, current, range } = write;
  if (!witness) return [];
  if (witness.tag === range.name) {
    // One item cannot be both checked and written in a transaction: the version condition on the
    // pointer covers it, once what was read shows it alive at the manifest.
    const alive = current && current.manifestDigest === witness.digest && !current.endedBy && (current.end === undefined || current.end > witness.nowMs);
    if (!alive) throw new WriteConflictError('the witness tag moved');
    return [];
  }
  return [
    {
      ConditionCheck: {
        TableName: ctx.tables.registry,
        Key: { PK: write.pk, SK: SK.tag(witness.tag) },
        ConditionExpression: 'manifestDigest = :digest AND attribute_not_exists(endedBy) AND (attribute_not_exists(#end) OR #end > :now)',
        ExpressionAttributeNames: { '#end': 'end' },
        ExpressionAttributeValues: { ':digest': witness.digest, ':now': witness.nowMs },
      },
    },
  ];
}

/**
 * The manifest write of a retarget to an already stored manifest: one more range references it,
 * and `tag` is the tag that referenced it last (read back on the base table by hasAliveTag).
 */
export function referenceManifest(ctx: StoreContext, pk: string, digest: string, tag: string, count = 1): TransactItem {
  return {
    Update: {
      TableName: ctx.tables.registry,
      Key: { PK: pk, SK: SK.manifestRefs(digest) },
      // A referenced manifest leaves the GC queue; the condition fails if GC deleted it meanwhile.
      UpdateExpression: 'SET lastTag = :tag ADD refs :one REMOVE dueShard, dueAt, dueKind',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeValues: { ':one': count, ':tag': tag },
    },
  };
}

/** The pointer becomes the tombstone of its closed range. */
function tombstone(ctx: StoreContext, pk: string, current: LiveTag, endMs: number, reason: RangeEndReason, expect?: TagExpectation): TransactItem {
  const closed: TagRange = {
    name: current.name,
    manifestDigest: current.manifestDigest,
    start: current.start,
    end: endMs,
    reversion: current.reversion,
    endedBy: reason,
  };
  return {
    Put: { TableName: ctx.tables.registry, Item: pointerItem(pk, closed, current.version + 1), ...pointerCondition(current, { ...expect && { expect }, nowMs: endMs }) },
  };
}

/** The write of a delete: the alive pointer read, when, and (conditional delete) what the client expects. */
export interface DeleteWrite {
  pk: string;
  current: LiveTag;
  nowMs: number;
  windowS: number;
  change: ChangeRecord;
  expect?: TagExpectation;
}

/** Delete: close the range now; the pointer becomes its tombstone. */
export async function deleteTag(ctx: StoreContext, write: DeleteWrite) {
  await transact(ctx, deleteItems(ctx, write));
}

/** The items of one delete (a batch puts several in one transaction). */
export function deleteItems(ctx: StoreContext, write: DeleteWrite): TransactItem[] {
  const { pk, current, nowMs } = write;
  return [
    closeRange(ctx, pk, current, nowMs, 'deleted', write.windowS),
    tombstone(ctx, pk, current, nowMs, 'deleted', write.expect),
    putChange(ctx, aboutTag(write.change, current)),
  ];
}

/** Sets (or with `endMs` undefined, clears) the pending expiration of an alive tag. */
export async function setTagExpiration(
  ctx: StoreContext,
  pk: string,
  current: LiveTag,
  endMs: number | undefined,
  change: ChangeRecord | null,
  expect?: { expectation: TagExpectation; nowMs: number },
) {
  // Clearing an expiration is allowed on an immutable tag; setting one is not.
  const guard = pointerCondition(current, {
    ...expect && { expect: expect.expectation, nowMs: expect.nowMs },
    requireMutable: endMs !== undefined,
  });
  const updated = { ...current, end: endMs };
  const indexed = rangeItem(pk, updated);
  const rangeUpdate: TransactItem = {
    Update: {
      TableName: ctx.tables.registry,
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
      TableName: ctx.tables.registry,
      Key: { PK: pk, SK: SK.tag(current.name) },
      UpdateExpression: endMs === undefined ? 'SET version = :next REMOVE #end' : 'SET version = :next, #end = :end',
      ConditionExpression: guard.ConditionExpression,
      ExpressionAttributeNames: { '#end': 'end' },
      ExpressionAttributeValues: {
        ...guard.ExpressionAttributeValues,
        ':next': current.version + 1,
        ...(endMs === undefined ? {} : { ':end': endMs }),
      },
    },
  };
  await transact(ctx, [rangeUpdate, pointerUpdate, ...(change ? [putChange(ctx, aboutTag(change, updated))] : [])]);
}

/** Finalizes a tag whose expiration has passed (the sweep): the range is closed, the pointer a tombstone. */
export async function finalizeExpiredTag(ctx: StoreContext, pk: string, current: LiveTag, windowS: number, change: ChangeRecord) {
  await transact(ctx, [
    closeRange(ctx, pk, current, current.end as number, 'expired', windowS),
    tombstone(ctx, pk, current, current.end as number, 'expired'),
    putChange(ctx, aboutTag(change, current)),
  ]);
}

/** The delete of a tombstone, when the sweep purges the range it mirrors. */
export function dropTombstone(ctx: StoreContext, pk: string, pointer: LiveTag): TransactItem {
  return { Delete: { TableName: ctx.tables.registry, Key: { PK: pk, SK: SK.tag(pointer.name) }, ...pointerCondition(pointer) } };
}
