/**
 * Several tag writes of one repository in one TransactWriteItems (POST …/tag/): all hold or none
 * is written. Each tag contributes its own items (range, pointer, change); what tags share is
 * written once, since one transaction may touch an item only once: one reference update per
 * manifest (counting every new range at it) and one check per witness tag outside the batch.
 */
import type { StoreContext } from './context.js';
import { deleteItems, referenceManifest, retargetItems, witnessCheck } from './tag-writes.js';
import type { DeleteWrite, RetargetWrite } from './tag-writes.js';
import { transact } from './transactions.js';
import type { TransactItem } from './transactions.js';

export type TagWrite = { kind: 'retarget'; write: RetargetWrite } | { kind: 'delete'; write: DeleteWrite };

export async function applyTagWrites(ctx: StoreContext, writes: TagWrite[]): Promise<void> {
  const items: TransactItem[] = [];
  const refs = new Map<string, { tag: string; count: number; pk: string }>();
  const witnesses = new Map<string, TransactItem[]>();
  const batchTags = new Set(writes.map((entry) => (entry.kind === 'retarget' ? entry.write.range.name : entry.write.current.name)));
  for (const entry of writes) {
    if (entry.kind === 'delete') {
      items.push(...deleteItems(ctx, entry.write));
      continue;
    }
    const { write } = entry;
    items.push(...retargetItems(ctx, write, true));
    const digest = write.range.manifestDigest;
    const ref = refs.get(digest);
    refs.set(digest, { pk: write.pk, tag: write.range.name, count: (ref?.count ?? 0) + 1 });
    // A witness that is itself in the batch is covered by its pointer's version condition (the
    // caller checked what it read); any other is checked once.
    if (write.witness && !batchTags.has(write.witness.tag) && !witnesses.has(write.witness.tag)) {
      witnesses.set(write.witness.tag, witnessCheck(ctx, write));
    }
  }
  for (const [digest, ref] of refs) items.push(referenceManifest(ctx, ref.pk, digest, ref.tag, ref.count));
  for (const checks of witnesses.values()) items.push(...checks);
  await transact(ctx, items);
}
