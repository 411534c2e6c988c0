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
 * The images of an alive tag, leaf first; null when the tag is not alive. Three reads whatever the
 * manifest: the pointer, the manifest, nothing per layer. A manifest list has no legacy image, and
 * `owned` answers no image, both as in Quay 2020; the layer cap (limits.ts) keeps the answer
 * within the response budget.
 */
export async function legacyImagesOfTag(deps: TagDeps, pk: string, tag: string, owned: boolean): Promise<LegacyImageView[] | null> {
  const now = deps.clock.now();
  if (!isValidTagName(tag)) return null;
  const pointer = await deps.store.tags.getLiveTag(pk, tag);
  if (!pointer || !isAlive(pointer, now)) return null;
  const manifest = await deps.store.manifests.getManifest(pk, pointer.manifestDigest);
  if (!manifest) return null;
  if (manifest.isList || owned) return [];

  const chain = manifest.legacyChain; // leaf first
  const created = formatQuayDate(Math.floor(pointer.start / 1000));
  // Layer sizes base first, matched to the chain (leaf = top layer).
  const sizes = [...manifest.layers].reverse().map((layer) => layer.size);
  return chain.map((id, index) => {
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
}
