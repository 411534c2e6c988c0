/**
 * Reads of the rangesByEnd index: the ranges that changed after an instant. The point-in-time
 * listing (`?at=`) and the tag diff read them, so their cost grows with what changed since then,
 * never with older history. The index is eventually consistent on AWS, like any GSI.
 */
import type { StoreContext } from './context.js';
import { endSK } from './keys.js';
import { queryPages } from './reads.js';
import type { TagRange } from './records.js';
import { REGISTRY_INDEX } from './schema.js';
import { toRange } from './tag-reads.js';

/**
 * Ranges that end after `afterMs` (still open ones included), read from rangesByEnd: the cost grows
 * with what changed since then, not with the whole history. With `startedBy`, only those that had
 * started by then (filtered by DynamoDB, still counted as read). Stops after `readBudget` items read
 * (`complete: false`). Unordered.
 */
export async function rangesEndingAfter(
  ctx: StoreContext,
  pk: string,
  afterMs: number,
  readBudget = 5000,
  startedBy?: number,
): Promise<{ ranges: TagRange[]; complete: boolean }> {
  const ranges: TagRange[] = [];
  let read = 0;
  const stoppedAt = await queryPages(
    ctx,
    {
      TableName: ctx.tables.registry,
      IndexName: REGISTRY_INDEX.rangesByEnd,
      KeyConditionExpression: 'endPK = :pk AND endSK > :after',
      ...(startedBy !== undefined
        ? { FilterExpression: '#start <= :at', ExpressionAttributeNames: { '#start': 'start' } }
        : {}),
      ExpressionAttributeValues: { ':pk': pk, ':after': endSK(afterMs, '~', 0), ...(startedBy !== undefined ? { ':at': startedBy } : {}) },
    },
    {
      limit: () => readBudget - read,
      onPage: (items, scanned) => {
        read += scanned;
        ranges.push(...items.map(toRange));
        return read < readBudget;
      },
    },
  );
  return { ranges, complete: stoppedAt === undefined };
}

/** Tags alive at instant `atMs` (start ≤ T < end), from the ranges ending after it. */
export async function tagsAliveAt(ctx: StoreContext, pk: string, atMs: number, readBudget = 5000): Promise<{ ranges: TagRange[]; complete: boolean }> {
  const alive = await rangesEndingAfter(ctx, pk, atMs, readBudget, atMs);
  // Quay's list order: newest start first, then by name (code-point order, as the keys sort).
  alive.ranges.sort((a, b) => b.start - a.start || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return alive;
}
