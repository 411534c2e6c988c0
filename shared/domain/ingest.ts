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
    refs: 0,
    pushedAt,
  };
}

/**
 * Stores the manifest (if new) and, when `tag` is given, points the tag at it. A concurrent push of
 * the same new manifest makes one of the two writes lose; the loser retries as a reference.
 */
export async function ingestManifest(deps: TagDeps, actor: Actor, parsed: ParsedManifest, bytes: Uint8Array, tag: string | null) {
  const { store, clock } = deps;
  for (let attempt = 1; ; attempt++) {
    const existing = await store.manifests.getManifest(actor.pk, parsed.digest);
    const record = existing ?? manifestRecord(parsed, bytes, clock.now());
    if (!existing) await store.manifests.putManifestIndexItems(actor.pk, record);
    try {
      if (tag === null) {
        if (!existing) {
          const now = clock.now();
          await store.manifests.storeUntaggedManifest(
            actor.pk,
            record,
            now + actor.windowS * 1000,
            tagChange(actor, 'push_repo', now, { repo: actor.repository, namespace: actor.namespace, manifest_digest: parsed.digest }),
          );
        }
        return;
      }
      await retarget(deps, actor, {
        tag,
        manifestDigest: parsed.digest,
        reversion: false,
        newManifest: existing ? undefined : () => store.manifests.putNewManifest(actor.pk, { ...record, refs: 1 }, null),
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
      return;
    } catch (error) {
      if (!(error instanceof WriteConflictError) || existing || attempt >= 3) throw error;
    }
  }
}
