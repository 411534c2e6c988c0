/**
 * Undo of an auto-prune run: every tag the run pruned comes back (a restore: a new range marked as a
 * reversion, audited `revert_tag` with the run's operation id) unless its name was used since. The
 * restore is conditioned on the very tombstone the prune left (pointer version), so a user who
 * creates, moves or restores that name concurrently wins and the tag is reported as skipped.
 */
import type { AutopruneRun, PrunedEntry } from '../store/index.js';
import { WriteConflictError } from '../store/index.js';
import type { RetentionDeps } from './retention-run.js';
import type { Actor } from './tag-operations.js';
import { tagChange } from './tag-operations.js';
import { nextRangeStart } from './tag-rules.js';

export interface UndoResult {
  restored: string[];
  skipped: { tag: string; reason: string }[];
}

const USED_SINCE = 'the tag name has been used since the prune';
const PURGED = 'the pruned tag is no longer in the time machine';

/** The run `operationId` of the actor's repository, if it is still within the time-machine window. */
export async function findRun(deps: RetentionDeps, actor: Actor, operationId: string): Promise<AutopruneRun | null> {
  const run = await deps.store.retention.getRun(actor.namespace, actor.repository, operationId);
  return run && run.at + actor.windowS * 1000 >= deps.clock.now() ? run : null;
}

export async function undoRun(deps: RetentionDeps, actor: Actor, run: AutopruneRun): Promise<UndoResult> {
  const result: UndoResult = { restored: [], skipped: [] };
  for (const entry of run.pruned) {
    const reason = await restorePruned(deps, actor, run, entry);
    if (reason) result.skipped.push({ tag: entry.tag, reason });
    else result.restored.push(entry.tag);
  }
  return result;
}

/** Restores one pruned tag; the reason it was not restored, or null. */
async function restorePruned(deps: RetentionDeps, actor: Actor, run: AutopruneRun, entry: PrunedEntry): Promise<string | null> {
  const pointer = await deps.store.tags.getLiveTag(actor.pk, entry.tag);
  if (!pointer) return PURGED;
  // The name's newest range must still be the one this run closed.
  const untouched =
    pointer.endedBy === 'deleted' && pointer.start === entry.start && pointer.manifestDigest === entry.manifestDigest && (pointer.end ?? 0) >= run.at;
  if (!untouched) return USED_SINCE;
  const now = deps.clock.now();
  const range = { name: entry.tag, manifestDigest: entry.manifestDigest, start: nextRangeStart(now, pointer), reversion: true };
  try {
    await deps.store.tags.retargetTag({
      pk: actor.pk,
      current: pointer,
      previous: 'closed',
      range,
      windowS: actor.windowS,
      manifest: { kind: 'stored' },
      changes: [
        tagChange(actor, 'revert_tag', range.start, {
          username: actor.performer?.username ?? null,
          repo: actor.repository,
          tag: entry.tag,
          manifest_digest: entry.manifestDigest,
          image: null,
          operation_id: run.operationId,
        }),
      ],
    });
    return null;
  } catch (error) {
    if (error instanceof WriteConflictError) return USED_SINCE;
    throw error;
  }
}
