/**
 * Quay's tag history listing (list_repository_tag_history): newest start first, then by name, with
 * Quay's page/limit and, as an extension, an opaque `next_page` cursor whose cost does not grow
 * with depth. Every page costs one query plus one batch read of the page's manifests.
 */
import type { HistoryFilter } from '../store/tags.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import type { TagDeps } from './tag-operations.js';
import { isAlive } from './tag-rules.js';
import { tagView } from './tag-view.js';

export interface ListTagsInput {
  pk: string;
  specificTag: string | null;
  /** Quay [H] filter_tag_name, already split: `eq` exact, `like` case-insensitive substring. */
  nameFilter: { op: 'eq' | 'like'; value: string } | null;
  onlyActive: boolean;
  page: number;
  limit: number;
  cursor: string | null;
}

export interface ListTagsResult {
  tags: Record<string, unknown>[];
  page: number;
  has_additional: boolean;
  next_page?: string;
}

/** Items DynamoDB may read for one filtered page before we hand back a cursor instead. */
const FILTER_READ_BUDGET = 1000;

function scopeOf(input: ListTagsInput, filter: HistoryFilter): string {
  return JSON.stringify([input.pk, filter.kind, filter.kind === 'tag' ? filter.name : null, input.nameFilter?.value ?? null]);
}

export async function listTags(deps: TagDeps, input: ListTagsInput): Promise<ListTagsResult> {
  const now = deps.clock.now();
  let tagName = input.specificTag;
  if (input.nameFilter?.op === 'eq') {
    // specificTag and filter_tag_name combine with AND.
    if (tagName !== null && tagName !== input.nameFilter.value) return { tags: [], page: input.page, has_additional: false };
    tagName = input.nameFilter.value;
  }

  // One alive tag by name: its pointer is the answer (a strongly consistent single read).
  if (tagName !== null && input.onlyActive) {
    const pointer = await deps.store.tags.getLiveTag(input.pk, tagName);
    const alive = pointer && isAlive(pointer, now) && input.page === 1 && !input.cursor ? [pointer] : [];
    const manifests = await deps.store.manifests.getManifests(input.pk, alive.map((tag) => tag.manifestDigest));
    return { tags: alive.map((tag) => tagView(tag, manifests.get(tag.manifestDigest))), page: input.page, has_additional: false };
  }

  const filter: HistoryFilter =
    tagName !== null ? { kind: 'tag', name: tagName } : input.onlyActive ? { kind: 'active', nowMs: now } : { kind: 'all' };
  const scope = scopeOf(input, filter);
  const from = input.cursor ? decodeCursor(input.cursor, scope) : undefined;
  const skip = from ? 0 : (input.page - 1) * input.limit;
  const result = await deps.store.tags.queryHistory({
    pk: input.pk,
    filter,
    nameContains: input.nameFilter?.op === 'like' ? input.nameFilter.value : undefined,
    skip,
    limit: input.limit,
    from,
    readBudget: input.nameFilter?.op === 'like' ? skip + FILTER_READ_BUDGET : Number.POSITIVE_INFINITY,
  });
  const manifests = await deps.store.manifests.getManifests(input.pk, result.ranges.map((range) => range.manifestDigest));
  return {
    tags: result.ranges.map((range) => tagView(range, manifests.get(range.manifestDigest))),
    page: input.page,
    has_additional: result.hasMore,
    ...(result.next ? { next_page: encodeCursor(scope, result.next) } : {}),
  };
}
