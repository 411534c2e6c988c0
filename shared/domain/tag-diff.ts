/**
 * Extension: what changed in a repository's tags between two instants — the tags alive at `to`
 * compared with those alive at `from`. One read of the ranges that ended after the earlier
 * instant (both sets are among them), or of one tag's history with specificTag: the cost grows
 * with what changed since `from`, not with the whole history.
 */
import type { TagRange } from '../store/index.js';
import { invalidRequest } from './errors.js';
import { AT_READ_BUDGET } from './list-tags.js';
import { isValidTagName } from './quay-format.js';
import type { TagDeps } from './tag-operations.js';

export interface TagDiff {
  added: { tag: string; manifest_digest: string }[];
  removed: { tag: string; manifest_digest: string }[];
  moved: { tag: string; from_manifest_digest: string; to_manifest_digest: string }[];
}

/** Tag name → manifest digest of the ranges alive at `atMs` (start ≤ T < end). */
export function aliveAt(ranges: readonly TagRange[], atMs: number): Map<string, string> {
  const alive = new Map<string, string>();
  for (const range of ranges) {
    if (range.start <= atMs && (range.end === undefined || range.end > atMs)) alive.set(range.name, range.manifestDigest);
  }
  return alive;
}

const byName = (a: { tag: string }, b: { tag: string }) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0);

/** The diff of two alive-tag maps, each list sorted by tag name (code-point order). */
export function diffAlive(from: Map<string, string>, to: Map<string, string>): TagDiff {
  const diff: TagDiff = { added: [], removed: [], moved: [] };
  for (const [tag, digest] of to) {
    const before = from.get(tag);
    if (before === undefined) diff.added.push({ tag, manifest_digest: digest });
    else if (before !== digest) diff.moved.push({ tag, from_manifest_digest: before, to_manifest_digest: digest });
  }
  for (const [tag, digest] of from) if (!to.has(tag)) diff.removed.push({ tag, manifest_digest: digest });
  diff.added.sort(byName);
  diff.removed.sort(byName);
  diff.moved.sort(byName);
  return diff;
}

export async function tagDiff(deps: TagDeps, pk: string, fromMs: number, toMs: number, tagName: string | null): Promise<TagDiff> {
  // No tag was ever created under a name the tag rule refuses: nothing changed.
  if (tagName !== null && !isValidTagName(tagName)) return { added: [], removed: [], moved: [] };
  const ranges = tagName !== null ? await tagHistory(deps, pk, tagName) : await rangesChangedAfter(deps, pk, Math.min(fromMs, toMs));
  return diffAlive(aliveAt(ranges, fromMs), aliveAt(ranges, toMs));
}

const TOO_MUCH = `More than ${AT_READ_BUDGET} tag ranges changed since the earlier instant; narrow the query with specificTag`;

async function rangesChangedAfter(deps: TagDeps, pk: string, afterMs: number): Promise<TagRange[]> {
  const changed = await deps.store.tags.rangesEndingAfter(pk, afterMs, AT_READ_BUDGET);
  if (!changed.complete) throw invalidRequest(TOO_MUCH);
  return changed.ranges;
}

async function tagHistory(deps: TagDeps, pk: string, name: string): Promise<TagRange[]> {
  const history = await deps.store.tags.queryHistory({ pk, filter: { kind: 'tag', name }, skip: 0, limit: AT_READ_BUDGET, readBudget: AT_READ_BUDGET });
  if (history.hasMore) throw invalidRequest(TOO_MUCH);
  return history.ranges;
}
