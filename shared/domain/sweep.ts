/**
 * The expiry sweep (EventBridge, every minute): finalizes tags whose expiration passed, purges
 * ranges past their namespace's time-machine window, and collects manifests nothing references.
 * It reads only the due work (sparse, sharded index), re-checks every item before writing, works
 * within a time budget and picks up the rest next time; running it twice changes nothing more.
 */
import type { Clock } from '../clock.js';
import type { Store } from '../store/index.js';
import { DEFAULT_TAG_EXPIRATION_S, WriteConflictError } from '../store/index.js';
import type { DueItem } from '../store/sweep.js';
import { runRetentionJob } from './retention-sweep.js';
import { continueApplication } from './policy-application.js';
import { tagExpiredChange } from './tag-operations.js';

export interface SweepReport {
  expired: number;
  purged_ranges: number;
  deleted_manifests: number;
  /** Tags soft-deleted by auto-prune policies. */
  pruned_tags: number;
  /** Due items whose state had changed since they were queued (moved, deleted, re-referenced). */
  skipped: number;
  /** Items read from the due index. */
  items_read: number;
  elapsed_ms: number;
  /** True when the time budget ran out with work left (the next run continues). */
  more: boolean;
}

export interface SweepOptions {
  /** Stop starting new work after this long (keep it well under the Lambda timeout). */
  budgetMs: number;
  /** Due items read per shard query. */
  batchSize: number;
}

interface SweepDeps {
  store: Store;
  clock: Clock;
}

export async function runSweep(deps: SweepDeps, options: SweepOptions): Promise<SweepReport> {
  const started = Date.now();
  const report: SweepReport = { expired: 0, purged_ranges: 0, deleted_manifests: 0, pruned_tags: 0, skipped: 0, items_read: 0, elapsed_ms: 0, more: false };
  const windows = new Map<string, Promise<number>>();
  const windowOf = (namespace: string) => {
    if (!windows.has(namespace)) {
      windows.set(namespace, deps.store.namespaces.getNamespace(namespace).then((ns) => ns?.tagExpirationS ?? DEFAULT_TAG_EXPIRATION_S));
    }
    return windows.get(namespace)!;
  };
  const outOfTime = () => Date.now() - started >= options.budgetMs;

  // Shards are independent; visit them in turn, each from where its last batch ended, until every
  // shard is drained or time runs out.
  const positions = new Map<string, Record<string, unknown> | undefined>(deps.store.sweep.dueShards().map((shard) => [shard, undefined]));
  while (positions.size && !outOfTime()) {
    for (const [shard, from] of [...positions]) {
      if (outOfTime()) break;
      const now = deps.clock.now();
      const batch = await deps.store.sweep.queryDue(shard, now, options.batchSize, from);
      report.items_read += batch.read;
      if (batch.next) positions.set(shard, batch.next);
      else positions.delete(shard);
      for (const item of batch.items) {
        if (outOfTime()) {
          positions.set(shard, from);
          break;
        }
        if (item.kind === 'prune-namespace' || item.kind === 'prune-repository') {
          // An auto-prune job checks the time budget itself and keeps its place when it runs out.
          const pruning = await runRetentionJob(deps, item, windowOf, outOfTime);
          report.pruned_tags += pruning.pruned;
          report.items_read += pruning.read;
          if (!pruning.ran) report.skipped++;
          continue;
        }
        const outcome = await handleDueItem(deps, item, now, windowOf);
        if (outcome === 'skipped') report.skipped++;
        else if (outcome === 'expired') report.expired++;
        else if (typeof outcome === 'object') {
          report.purged_ranges += outcome.purged ?? 0;
          report.deleted_manifests += outcome.collected;
        }
      }
    }
  }
  report.more = positions.size > 0;
  report.elapsed_ms = Date.now() - started;
  return report;
}

type Outcome = 'expired' | 'skipped' | 'kept' | { purged?: number; collected: number };

async function handleDueItem(deps: SweepDeps, item: DueItem, now: number, windowOf: (ns: string) => Promise<number>): Promise<Outcome> {
  const { store } = deps;
  const { namespace, repository } = item;
  try {
    switch (item.kind) {
      case 'expire': {
        // The pointer mirrors the open range (same start, same end), so it is the only read: the
        // transaction's conditions re-check both items.
        const pointer = item.name === undefined ? null : await store.tags.getLiveTag(item.pk, item.name);
        // An immutable tag never expires (its transaction re-checks that too).
        const stillDue =
          pointer && !pointer.endedBy && !pointer.immutable && pointer.rangeSK === item.sk && pointer.end !== undefined && pointer.end <= now;
        if (!stillDue) return 'skipped';
        const change = tagExpiredChange({ namespace, repository }, pointer, now);
        await store.tags.finalizeExpiredTag(item.pk, pointer, await windowOf(namespace), change);
        return 'expired';
      }
      case 'purge': {
        const range = await store.tags.getRange(item.pk, item.sk);
        if (!range || !range.endedBy || range.end === undefined || range.dueAt !== item.dueAt) return 'skipped';
        // The window in force now decides; a window that grew since the range closed keeps it longer.
        const purgeAt = range.end + (await windowOf(namespace)) * 1000;
        if (purgeAt > now) {
          await store.sweep.reschedule(item.pk, item.sk, item.dueAt, purgeAt);
          return 'kept';
        }
        const [manifestRefs, pointer] = await Promise.all([
          store.manifests.getManifestRefs(item.pk, range.manifestDigest),
          store.tags.getLiveTag(item.pk, range.name),
        ]);
        // A tombstone of this very range goes with it: the name's history is gone.
        const tombstone = pointer?.endedBy && pointer.start === range.start ? pointer : null;
        await store.sweep.purgeRange(item.pk, item.sk, item.dueAt, manifestRefs, now, tombstone);
        // That was the manifest's last reference: collect it now rather than on a later run.
        const collected = manifestRefs && manifestRefs.refs <= 1 ? await collectManifest(deps, item.pk, manifestRefs.digest, now) : 0;
        return { purged: 1, collected };
      }
      case 'immutability': {
        const app = await store.immutabilityPolicies.getApplication(item.pk, item.sk);
        if (!app || app.dueAt !== item.dueAt) return 'skipped';
        await continueApplication(deps, app);
        return 'kept';
      }
      case 'gc': {
        const deleted = await collectManifest(deps, item.pk, item.digest as string, item.dueAt);
        return deleted ? { collected: deleted } : 'kept';
      }
      default:
        return 'skipped';
    }
  } catch (error) {
    if (error instanceof WriteConflictError) return 'skipped';
    throw error;
  }
}

/**
 * Deletes a manifest nothing references (no tag range, no stored manifest list), then the children
 * it held that are left unreferenced. Returns how many manifests were deleted. A manifest held by
 * a stored list leaves the queue (`queuedAt`): collecting that list brings it back here.
 */
async function collectManifest(deps: SweepDeps, pk: string, digest: string, queuedAt?: number): Promise<number> {
  const { store } = deps;
  const refs = await store.manifests.getManifestRefs(pk, digest);
  if (!refs || refs.refs > 0) return 0;
  const parents = await store.manifests.findParentLists(pk, digest);
  if (parents.length && (await store.manifests.getManifests(pk, parents)).size > 0) {
    if (queuedAt !== undefined) await store.sweep.unqueueManifest(pk, digest, queuedAt);
    return 0;
  }
  const manifest = await store.manifests.getManifest(pk, digest);
  if (!manifest || !(await store.sweep.deleteManifest(pk, manifest))) return 0;
  let deleted = 1;
  for (const child of manifest.children) deleted += await collectManifest(deps, pk, child.digest);
  return deleted;
}
