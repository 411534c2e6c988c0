/**
 * Manifest ingest (DESIGN 5.4): store a pushed manifest byte for byte and, for a tag reference,
 * create or move the tag as a new history range, all in one transaction.
 */
import type { ManifestRecord } from '../store/index.js';
import { WriteConflictError } from '../store/index.js';
import { legacyImageChain } from './legacy-ids.js';
import type { ParsedManifest } from './manifest.js';
import { retarget, tagChange } from './tag-operations.js';
import type { Actor, TagDeps } from './tag-operations.js';

/** How long an untagged manifest is kept at least, whatever the namespace's window. */
export const UNTAGGED_GRACE_S = 3600;

export function manifestRecord(parsed: ParsedManifest, bytes: Uint8Array, pushedAt: number): ManifestRecord {
  return {
    digest: parsed.digest,
    mediaType: parsed.mediaType,
    bytes,
    isList: parsed.isList,
    configDigest: parsed.configDigest,
    layers: parsed.layers,
    layersSize: parsed.layersSize,
    children: parsed.children,
    annotations: parsed.annotations,
    legacyChain: legacyImageChain(parsed),
    pushedAt,
  };
}

/**
 * Stores the manifest (if new) and, when `tag` is given, points the tag at it. When a concurrent
 * push of the same new manifest wins, the next attempt references the stored manifest instead.
 */
export async function ingestManifest(deps: TagDeps, actor: Actor, parsed: ParsedManifest, bytes: Uint8Array, tag: string | null) {
  const { store, clock } = deps;
  const existing = await store.manifests.getManifest(actor.pk, parsed.digest);
  if (existing && tag === null) return;
  const record = existing ?? manifestRecord(parsed, bytes, clock.now());
  if (existing) return storeManifest(deps, actor, parsed, record, tag, true);
  // The index items are too many for the push's transaction, so they are written before it; a push
  // that fails takes them back, so they never outlive it (dropIndexItemsOfFailedPush).
  try {
    await store.manifests.putManifestIndexItems(actor.pk, record);
    await storeManifest(deps, actor, parsed, record, tag, false);
  } catch (error) {
    await dropIndexItemsOfFailedPush(deps, actor.pk, record);
    throw error;
  }
}

/**
 * Removes the index items of a push that failed, unless the manifest is stored after all (a
 * concurrent push of the same bytes shares them). Should that push commit while they are being
 * removed, the second look puts them back.
 */
async function dropIndexItemsOfFailedPush(deps: TagDeps, pk: string, record: ManifestRecord): Promise<void> {
  const { manifests } = deps.store;
  if (await manifests.getManifest(pk, record.digest)) return;
  await manifests.deleteManifestIndexItems(pk, record);
  if (await manifests.getManifest(pk, record.digest)) await manifests.putManifestIndexItems(pk, record);
}

async function storeManifest(deps: TagDeps, actor: Actor, parsed: ParsedManifest, record: ManifestRecord, tag: string | null, stored: boolean) {
  const { store, clock } = deps;
  if (tag === null) {
    const now = clock.now();
    const change = tagChange(actor, 'push_repo', now, { repo: actor.repository, namespace: actor.namespace, manifest_digest: parsed.digest });
    // An untagged manifest is kept at least an hour (Quay's temporary tag does the same), so the
    // children of a multi-arch image survive until their list is pushed, even with a 0 s window.
    const gcAt = now + Math.max(actor.windowS, UNTAGGED_GRACE_S) * 1000;
    try {
      await store.manifests.storeUntaggedManifest(actor.pk, record, gcAt, change);
    } catch (error) {
      // Another push stored the same bytes first: the manifest is there, which is all we wanted.
      if (!(error instanceof WriteConflictError) || !(await store.manifests.getManifest(actor.pk, parsed.digest))) throw error;
    }
    return;
  }

  await retarget(deps, actor, {
    tag,
    manifestDigest: parsed.digest,
    reversion: false,
    sameDigestIsNoop: true,
    newManifest: stored
      ? undefined
      : async (attempt) => (attempt > 1 && (await store.manifests.getManifest(actor.pk, parsed.digest)) ? null : record),
    changes: (previous, range) => [
      tagChange(actor, 'push_repo', range.start, {
        repo: actor.repository,
        namespace: actor.namespace,
        tag,
        manifest_digest: parsed.digest,
        original_manifest_digest: previous?.manifestDigest ?? null,
      }),
    ],
  });
}
