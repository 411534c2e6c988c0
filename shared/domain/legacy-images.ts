/**
 * Quay's legacy image view of a tag (the deprecated /images endpoint). Image ids are derived from
 * the layer chain (legacy-ids.ts), so two manifests share exactly the images of their common base.
 */
import { formatQuayDate, isValidTagName } from './quay-format.js';
import type { TagDeps } from './tag-operations.js';
import { isAlive } from './tag-rules.js';

export interface LegacyImageView {
  id: string;
  created: string;
  comment: string;
  command: string;
  size: number;
  uploading: boolean;
  sort_index: number;
  ancestors: string;
}

/**
 * The images of an alive tag, leaf first; null when the tag is not alive. With `owned`, only images
 * that no other alive tag's chain contains (what deleting this tag alone could free), as the
 * tagsByManifest index shows them (eventually consistent on AWS; docs/api.md says so).
 */
export async function legacyImagesOfTag(deps: TagDeps, pk: string, tag: string, owned: boolean): Promise<LegacyImageView[] | null> {
  const now = deps.clock.now();
  if (!isValidTagName(tag)) return null;
  const pointer = await deps.store.tags.getLiveTag(pk, tag);
  if (!pointer || !isAlive(pointer, now)) return null;
  const manifest = await deps.store.manifests.getManifest(pk, pointer.manifestDigest);
  if (!manifest) return null;

  const chain = manifest.legacyChain; // leaf first
  const created = formatQuayDate(Math.floor(pointer.start / 1000));
  // Layer sizes base first, matched to the chain (leaf = top layer).
  const sizes = [...manifest.layers].reverse().map((layer) => layer.size);
  let images = chain.map((id, index) => {
    const ancestors = chain.slice(index + 1).reverse();
    return {
      id,
      created,
      comment: '',
      command: '',
      size: sizes[index] ?? 0,
      uploading: false,
      sort_index: ancestors.length,
      ancestors: ancestors.length ? `/${ancestors.join('/')}/` : '',
    };
  });
  if (owned) {
    const shared = await sharedImageIds(deps, pk, chain, tag, now);
    images = images.filter((image) => !shared.has(image.id));
  }
  return images;
}

/** Ids of `chain` that appear in the chain of a manifest some OTHER alive tag points at. */
async function sharedImageIds(deps: TagDeps, pk: string, chain: string[], tag: string, now: number): Promise<Set<string>> {
  const holders = await Promise.all(chain.map((id) => deps.store.manifests.findManifestsByLegacyImage(pk, id)));
  const digests = [...new Set(holders.flat().map((holder) => holder.digest))];
  const otherAlive = new Map(
    await Promise.all(
      digests.map(async (digest) => [digest, (await deps.store.tags.indexedAliveTagAt(pk, digest, now, tag)) !== null] as const),
    ),
  );
  return new Set(chain.filter((_id, index) => holders[index].some((holder) => otherAlive.get(holder.digest))));
}
