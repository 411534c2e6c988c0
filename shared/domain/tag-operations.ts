/**
 * The tag mutations of Quay's tag API (create, move, restore, delete, change expiration), as plain
 * functions over a store and a clock. Each one reads what it needs, decides, and commits one
 * transaction whose conditions make it lose cleanly to a concurrent writer; a lost race is retried
 * from a fresh read, a bounded number of times.
 */
import type { Clock } from '../clock.js';
import type { Store } from '../store/index.js';
import { WriteConflictError, withConflictRetry } from '../store/index.js';
import type { ChangeRecord, ImmutabilityPolicy, LiveTag, ManifestRecord, Performer, TagRange } from '../store/index.js';
import type { PreviousRange } from '../store/tag-writes.js';
import { TagImmutableError, badRequest, invalidRequest, modelError, notFound } from './errors.js';
import { coveringPolicy } from './immutability-policy.js';
import { clampedExpirationEnd, isAlive, isUsableExpiration, nextRangeStart } from './tag-rules.js';
import { requireExpectation, storeExpectation } from './preconditions.js';
import type { TagExpectation } from './preconditions.js';

export interface TagDeps {
  store: Store;
  clock: Clock;
}

/**
 * A tag's pointer read before the mutation started (alongside the authorization read). The first
 * attempt uses it; a retry after a lost race reads the pointer again.
 */
export type PointerRead = Promise<LiveTag | null>;

function pointerFor(deps: TagDeps, pk: string, tag: string, attempt: number, first?: PointerRead): PointerRead {
  return attempt === 1 && first ? first : deps.store.tags.getLiveTag(pk, tag);
}

/** Who acts on which repository: what every mutation needs for its audit change. */
export interface Actor {
  namespace: string;
  repository: string;
  pk: string;
  windowS: number;
  performer: Performer | null;
  ip: string | null;
  /** The immutability policies in force (repository's and namespace's), read with the authorization facts. */
  immutabilityPolicies?: readonly ImmutabilityPolicy[];
}

/** The audit change of a mutation by `actor` at `at`. */
export function tagChange(actor: Actor, kind: string, at: number, metadata: Record<string, unknown>): ChangeRecord {
  return { kind, namespace: actor.namespace, repository: actor.repository, performer: actor.performer, ip: actor.ip, at, metadata };
}

/** Quay's `tag_made_immutable_by_policy` entry: written by the transaction that creates the tag (no performer). */
export function madeImmutableByPolicyChange(actor: Pick<Actor, 'namespace' | 'repository'>, tag: string, at: number): ChangeRecord {
  return {
    kind: 'tag_made_immutable_by_policy',
    namespace: actor.namespace,
    repository: actor.repository,
    performer: null,
    ip: null,
    at,
    metadata: { tag, repo: actor.repository, namespace: actor.namespace, immutable: true },
  };
}

/** The `tag_expired` change recorded when a mutation (or the sweep) finalizes a passed expiry. */
export function tagExpiredChange(actor: Pick<Actor, 'namespace' | 'repository'>, tag: LiveTag, at: number): ChangeRecord {
  return {
    kind: 'tag_expired',
    namespace: actor.namespace,
    repository: actor.repository,
    performer: null,
    ip: null,
    at,
    metadata: {
      tag: tag.name,
      repo: actor.repository,
      namespace: actor.namespace,
      manifest_digest: tag.manifestDigest,
      expiration_date: Math.floor((tag.end as number) / 1000),
    },
  };
}

export interface RetargetRequest {
  tag: string;
  manifestDigest: string;
  /** Restore marks the new range as a reversion. */
  reversion: boolean;
  /** PUT: the manifest must be reachable from an alive tag (else not found), checked by each attempt. */
  reachableOnly?: boolean;
  /** An expiration (epoch seconds) for the new range, already checked to be in the future. */
  expirationS?: number;
  /** Builds the audit changes of this retarget from the pointer it replaces (null when creating). */
  changes: (previous: LiveTag | null, range: TagRange) => ChangeRecord[];
  /**
   * When the manifest itself may be new (ingest by tag): the record to store on this attempt, or
   * null once another writer stored it. Otherwise the stored manifest gets one more reference.
   */
  newManifest?: (attempt: number) => Promise<ManifestRecord | null>;
  /** The tag's pointer, if already read. */
  pointer?: PointerRead;
  /** If-Match / If-None-Match: what the pointer must show, else 412 (checked by the transaction too). */
  expect?: TagExpectation;
  /**
   * A push of the very digest an immutable tag already points at succeeds without writing (unlike
   * Quay's 409, so CI retries stay idempotent); otherwise an immutable tag refuses any overwrite.
   */
  sameDigestIsNoop?: boolean;
}

/**
 * Points a tag at a manifest: opens a new range, closes the current one (or finalizes its passed
 * expiry), in one transaction. Returns the pointer it replaced (null if the tag was not alive).
 */
export async function retarget(deps: TagDeps, actor: Actor, request: RetargetRequest): Promise<LiveTag | null> {
  try {
    return await retargetWithRetries(deps, actor, request);
  } catch (error) {
    // The stored manifest was collected meanwhile: it is not found (else the tag kept changing).
    const gone = error instanceof WriteConflictError && !request.newManifest && !(await deps.store.manifests.getManifestRefs(actor.pk, request.manifestDigest));
    throw gone ? notFound() : error;
  }
}

function retargetWithRetries(deps: TagDeps, actor: Actor, request: RetargetRequest): Promise<LiveTag | null> {
  return withConflictRetry(async (attempt) => {
    // The pointer and the reachability witness are independent reads: one round trip for both.
    // The first attempt may take its witness from an index; a retry reads the base table.
    const [current, witness] = await Promise.all([
      pointerFor(deps, actor.pk, request.tag, attempt, request.pointer),
      request.reachableOnly ? reachabilityWitness(deps, actor.pk, request.manifestDigest, attempt === 1) : undefined,
    ]);
    // Read the clock after the pointer: a writer that closed the range meanwhile used an earlier now.
    const now = deps.clock.now();
    const alive = current !== null && isAlive(current, now);
    requireExpectation(request.tag, current, now, request.expect);
    if (alive && current.immutable) {
      if (request.sameDigestIsNoop && current.manifestDigest === request.manifestDigest) return current;
      throw new TagImmutableError(request.tag, 'overwrite');
    }
    const previous: PreviousRange = !current ? 'none' : alive ? 'open' : current.endedBy ? 'closed' : 'expired';
    const start = nextRangeStart(now, current);
    // Quay's retarget_tag: a covered tag is created immutable, without an expiration (CAN_EXPIRE off).
    const policy = coveringPolicy(actor.immutabilityPolicies ?? [], request.tag);
    const range: TagRange = {
      name: request.tag,
      manifestDigest: request.manifestDigest,
      start,
      reversion: request.reversion,
      ...(request.expirationS !== undefined && !policy ? { end: clampedExpirationEnd(start, request.expirationS) } : {}),
      ...(policy ? { immutable: true, immutablePolicy: policy.uuid } : {}),
    };
    if (witness === null) throw notFound(`manifest ${request.manifestDigest} is not reachable from an alive tag: push it by tag, or restore it`);
    const changes = request.changes(alive ? current : null, range);
    if (previous === 'expired') changes.push(tagExpiredChange(actor, current as LiveTag, now));
    if (policy) changes.push(madeImmutableByPolicyChange(actor, request.tag, range.start));
    await deps.store.tags.retargetTag({
      pk: actor.pk,
      current,
      previous,
      range,
      windowS: actor.windowS,
      manifest: await manifestToReference(request, attempt),
      ...storeExpectation(request.expect, now),
      ...(witness ? { witness: { ...witness, nowMs: now } } : {}),
      changes,
    });
    return alive ? current : null;
  });
}

async function manifestToReference(request: RetargetRequest, attempt: number) {
  const record = request.newManifest ? await request.newManifest(attempt) : null;
  return record ? ({ kind: 'new', record } as const) : ({ kind: 'stored' } as const);
}

/** What a delete or an expiration change may be handed: the pointer if already read, and a precondition. */
export interface TagWriteOptions {
  pointer?: PointerRead;
  expect?: TagExpectation;
}

/** The alive pointer of a tag, or a not-found outcome (a 412 first, when an expectation fails). */
export async function aliveTag(deps: TagDeps, actor: Actor, tag: string, attempt = 1, options: TagWriteOptions = {}): Promise<LiveTag> {
  const current = await pointerFor(deps, actor.pk, tag, attempt, options.pointer);
  requireExpectation(tag, current, deps.clock.now(), options.expect);
  if (!current || !isAlive(current, deps.clock.now())) throw notFound(`tag ${tag} has no alive version (deleted or expired): restore it first`);
  return current;
}

/** DELETE: ends the alive tag now. A tag that is not alive is not found ([H]'s fix of [L]'s 400). */
export async function deleteTag(deps: TagDeps, actor: Actor, tag: string, options: TagWriteOptions = {}): Promise<void> {
  await withConflictRetry(async (attempt) => {
    const current = await aliveTag(deps, actor, tag, attempt, options);
    if (current.immutable) throw new TagImmutableError(tag, 'delete');
    // Never end a range before it began (a lagging clock).
    const now = Math.max(deps.clock.now(), current.start);
    const change = tagChange(actor, 'delete_tag', now, {
      username: actor.performer?.username ?? null,
      repo: actor.repository,
      namespace: actor.namespace,
      tag,
    });
    await deps.store.tags.deleteTag({ pk: actor.pk, current, nowMs: now, windowS: actor.windowS, change, ...(options.expect ? { expect: options.expect } : {}) });
  });
}

/**
 * PUT {expiration}: sets (epoch seconds, clamped to [start+1h, start+104w]) or clears (null) the
 * expiration of an alive tag. Setting what is already set writes nothing and logs nothing.
 */
export async function changeExpiration(
  deps: TagDeps,
  actor: Actor,
  tag: string,
  expirationS: number | null,
  options: TagWriteOptions = {},
): Promise<void> {
  try {
    await withConflictRetry(async (attempt) => {
      const current = await aliveTag(deps, actor, tag, attempt, options);
      // Checked after the tag lookup, as Quay does: a missing tag is a 404 whatever the value.
      if (expirationS !== null && !isUsableExpiration(expirationS, deps.clock.now())) throw badRequest();
      // Quay's change_tag_expiration raises a DataModelException the view does not catch: 400, not 409.
      if (expirationS !== null && current.immutable) throw modelError(`Cannot set expiration on immutable tag '${tag}'`);
      const end = expirationS === null ? undefined : clampedExpirationEnd(current.start, expirationS);
      if (end === current.end) return;
      const now = deps.clock.now();
      await deps.store.tags.setTagExpiration(actor.pk, current, end, tagChange(actor, 'change_tag_expiration', now, {
        username: actor.performer?.username ?? null,
        repo: actor.repository,
        tag,
        namespace: actor.namespace,
        // As Quay logs them: the requested value in epoch seconds, the old end in milliseconds.
        expiration_date: expirationS,
        old_expiration_date: current.end ?? null,
      }), storeExpectation(options.expect, now).expect);
    }, 10);
  } catch (error) {
    if (error instanceof WriteConflictError) throw invalidRequest('Could not update tag expiration; Tag has probably changed');
    throw error;
  }
}

/** An alive tag at the manifest (or at a stored list holding it) that makes it reachable. */
export interface ReachabilityWitness {
  tag: string;
  digest: string;
}

/**
 * What makes a manifest reachable from an alive tag, directly or as a child of a manifest list
 * that is (Quay's lookup_manifest_by_digest without allow_dead), or null. `fromIndex` lets the
 * first look be the tagsByManifest index (eventually consistent): its answer is only a candidate,
 * which the retarget transaction re-checks (witness condition); a negative answer is always read
 * again on the base table, so a manifest the client just tagged is never refused.
 */
export async function reachabilityWitness(deps: TagDeps, pk: string, digest: string, fromIndex = false): Promise<ReachabilityWitness | null> {
  const now = deps.clock.now();
  const aliveTag = async (target: string) =>
    (fromIndex ? await deps.store.tags.indexedAliveTagAt(pk, target, now) : null) ?? (await deps.store.tags.aliveTagAt(pk, target, now));
  const direct = await aliveTag(digest);
  if (direct) return { tag: direct, digest };
  for (const parent of await deps.store.manifests.findParentLists(pk, digest)) {
    const holder = await aliveTag(parent);
    // A list may name children that were never pushed: those are not reachable.
    if (holder) return (await deps.store.manifests.getManifestRefs(pk, digest)) ? { tag: holder, digest: parent } : null;
  }
  return null;
}

/** Whether PUT may point a tag at this manifest (strongly consistent reads only). */
export async function isReachableFromAliveTag(deps: TagDeps, pk: string, digest: string): Promise<boolean> {
  return (await reachabilityWitness(deps, pk, digest)) !== null;
}

/** The digests of the manifests whose leaf legacy image id is `imageId` (one Query). */
export async function legacyImageLeaves(deps: TagDeps, pk: string, imageId: string): Promise<string[]> {
  return (await deps.store.manifests.findManifestsByLegacyImage(pk, imageId)).filter((entry) => entry.position === 0).map((entry) => entry.digest);
}

/**
 * The manifest a legacy image id stands for: the manifests whose leaf id it is, preferring one an
 * alive tag reaches (PUT requires that), else the most recently pushed (restore). `leaves`: the
 * digests legacyImageLeaves found, if already read.
 */
export async function manifestForLegacyImage(
  deps: TagDeps,
  pk: string,
  imageId: string,
  mustBeReachable: boolean,
  leaves?: Promise<string[]>,
): Promise<ManifestRecord | null> {
  const digests = await (leaves ?? legacyImageLeaves(deps, pk, imageId));
  const manifests = [...(await deps.store.manifests.getManifests(pk, digests)).values()].sort(
    (a, b) => b.pushedAt - a.pushedAt,
  );
  for (const manifest of manifests) {
    if (!mustBeReachable || (await isReachableFromAliveTag(deps, pk, manifest.digest))) return manifest;
  }
  return null;
}
