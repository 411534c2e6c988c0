/**
 * Quay's tag history listing (list_repository_tag_history): newest start first, then by name, with
 * Quay's page/limit and, as an extension, an opaque `next_page` cursor whose cost does not grow
 * with depth. Every page costs one query plus one batch read of the page's manifests.
 */
import type { HistoryFilter } from '../store/tag-reads.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { invalidRequest, rejectForgedPosition } from './errors.js';
import { isValidTagName } from './quay-format.js';
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
  /** Extension: list the tags alive at this instant (epoch ms) instead of the history. */
  atMs: number | null;
  /**
   * Reading the page's manifests waits for this (the authorization decision, when the listing
   * started alongside it): until then only the page's ranges are read.
   */
  decided?: Promise<void>;
}

/** The manifests of a page, once the listing may go on. */
async function pageManifests(deps: TagDeps, input: ListTagsInput, digests: string[]) {
  await input.decided;
  return deps.store.manifests.getManifests(input.pk, digests);
}

export interface ListTagsResult {
  tags: Record<string, unknown>[];
  page: number;
  has_additional: boolean;
  next_page?: string;
}

/** Ranges a point-in-time listing may read before it asks the caller to narrow it. */
export const AT_READ_BUDGET = 5000;

/**
 * Extension: the tags alive at an instant (start ≤ T < end), newest start first, with Quay's
 * page/limit. Reads the ranges that ended after T (or one tag's history with specificTag), so the
 * cost grows with what changed since T, never with older history; beyond AT_READ_BUDGET ranges the
 * request is refused and the caller narrows it with specificTag.
 */
async function listTagsAt(deps: TagDeps, input: ListTagsInput & { atMs: number }, tagName: string | null, like: string | null) {
  let ranges;
  if (tagName !== null) {
    const history = await deps.store.tags.queryHistory({
      pk: input.pk,
      filter: { kind: 'tag', name: tagName },
      skip: 0,
      limit: AT_READ_BUDGET,
      readBudget: AT_READ_BUDGET,
    });
    ranges = history.ranges.filter((range) => range.start <= input.atMs && (range.end === undefined || range.end > input.atMs)).slice(0, 1);
  } else {
    const alive = await deps.store.tags.tagsAliveAt(input.pk, input.atMs, AT_READ_BUDGET);
    if (!alive.complete) {
      throw invalidRequest(`More than ${AT_READ_BUDGET} tag ranges changed since the requested instant; narrow the query with specificTag`);
    }
    ranges = alive.ranges;
  }
  if (like !== null) ranges = ranges.filter((range) => range.name.toLowerCase().includes(like));
  const offset = (input.page - 1) * input.limit;
  const page = ranges.slice(offset, offset + input.limit);
  const manifests = await pageManifests(deps, input, page.map((range) => range.manifestDigest));
  return {
    tags: page.map((range) => tagView(range, manifests.get(range.manifestDigest))),
    page: input.page,
    has_additional: ranges.length > offset + input.limit,
  };
}

/** Items DynamoDB may read for one filtered page before we hand back a cursor instead. */
const FILTER_READ_BUDGET = 1000;

/**
 * Deepest offset Quay's `page` may reach: offset pages read every row before them, so beyond this
 * the request would cost more the deeper it goes; `next_page` reads any depth at the cost of one.
 */
export const MAX_OFFSET_ROWS = 10_000;

function scopeOf(input: ListTagsInput, filter: HistoryFilter): string {
  return JSON.stringify([input.pk, filter.kind, filter.kind === 'tag' ? filter.name : null, input.nameFilter?.value ?? null]);
}

export async function listTags(deps: TagDeps, input: ListTagsInput): Promise<ListTagsResult> {
  const now = deps.clock.now();
  const empty = { tags: [], page: input.page, has_additional: false };
  let tagName = input.specificTag;
  if (input.nameFilter?.op === 'eq') {
    // specificTag and filter_tag_name combine with AND.
    if (tagName !== null && tagName !== input.nameFilter.value) return empty;
    tagName = input.nameFilter.value;
  }
  // No tag was ever created under a name the tag rule refuses: nothing to look up.
  if (tagName !== null && !isValidTagName(tagName)) return empty;
  const like = input.nameFilter?.op === 'like' ? input.nameFilter.value.toLowerCase() : null;
  if (input.atMs !== null) return listTagsAt(deps, { ...input, atMs: input.atMs }, tagName, like);

  // One alive tag by name: its pointer is the answer (a strongly consistent single read).
  if (tagName !== null && input.onlyActive) {
    const pointer = await deps.store.tags.getLiveTag(input.pk, tagName);
    const matches = pointer && isAlive(pointer, now) && (like === null || tagName.toLowerCase().includes(like));
    const alive = matches && input.page === 1 && !input.cursor ? [pointer] : [];
    const manifests = await pageManifests(deps, input, alive.map((tag) => tag.manifestDigest));
    return { tags: alive.map((tag) => tagView(tag, manifests.get(tag.manifestDigest))), page: input.page, has_additional: false };
  }

  const filter: HistoryFilter =
    tagName !== null ? { kind: 'tag', name: tagName } : input.onlyActive ? { kind: 'active', nowMs: now } : { kind: 'all' };
  const scope = scopeOf(input, filter);
  // The envelope binds the cursor to this listing; the store checks the position inside it.
  const from = input.cursor ? decodeCursor(input.cursor, scope) : undefined;
  const skip = from ? 0 : (input.page - 1) * input.limit;
  if (skip > MAX_OFFSET_ROWS) {
    throw invalidRequest(`Page too deep: (page - 1) × limit may skip at most ${MAX_OFFSET_ROWS} rows; follow next_page to read further`);
  }
  const result = await deps.store.tags
    .queryHistory({
      pk: input.pk,
      filter,
      nameContains: like ?? undefined,
      skip,
      limit: input.limit,
      from,
      readBudget: input.nameFilter?.op === 'like' ? skip + FILTER_READ_BUDGET : Number.POSITIVE_INFINITY,
    })
    .catch(rejectForgedPosition);
  const manifests = await pageManifests(deps, input, result.ranges.map((range) => range.manifestDigest));
  return {
    tags: result.ranges.map((range) => tagView(range, manifests.get(range.manifestDigest))),
    page: input.page,
    has_additional: result.hasMore,
    ...(result.next ? { next_page: encodeCursor(scope, result.next) } : {}),
  };
}
