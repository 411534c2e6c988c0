/** The tag object of Quay's API (seed `_tag_dict`), key for key and in the same order. */
import type { ManifestRecord, TagRange } from '../store/records.js';
import { MAX_EMBEDDED_MANIFEST_BYTES, parseBoundedJson, payloadBytes } from './limits.js';
import { formatQuayDate } from './quay-format.js';

/**
 * The manifest as a row embeds it, or undefined (the seed omits the key when the bytes do not
 * parse). Whatever is stored, a row never embeds a document too deep to serialize or too large
 * for a page of rows to fit a response (limits.ts).
 */
export function parseManifestJson(manifest: ManifestRecord): unknown {
  try {
    const parsed = parseBoundedJson(new TextDecoder().decode(manifest.bytes));
    if (!parsed || payloadBytes(parsed.value) > MAX_EMBEDDED_MANIFEST_BYTES) return undefined;
    return parsed.value;
  } catch {
    return undefined;
  }
}

export function tagView(range: TagRange, manifest: ManifestRecord | undefined): Record<string, unknown> {
  const startS = Math.floor(range.start / 1000);
  const endS = range.end === undefined ? undefined : Math.floor(range.end / 1000);
  // `immutable` right after `reversion`, on every row (FEATURE_IMMUTABLE_TAGS on).
  const view: Record<string, unknown> = { name: range.name, reversion: range.reversion, immutable: range.immutable === true };
  if (startS > 0) view.start_ts = startS;
  // Also present on alive tags whose expiration is still ahead.
  if (endS !== undefined && endS > 0) view.end_ts = endS;
  // A manifest list has no legacy image (Quay 2020): no image ids, and `size` comes after
  // `is_manifest_list`, where the seed adds it when no legacy image set it first.
  const legacyImage = manifest && !manifest.isList ? manifest.legacyChain[0] : undefined;
  if (legacyImage) {
    view.docker_image_id = legacyImage;
    view.image_id = legacyImage;
    view.size = manifest!.layersSize;
  }
  view.manifest_digest = range.manifestDigest;
  if (manifest) {
    const parsed = parseManifestJson(manifest);
    if (parsed !== undefined) view.manifest = parsed;
    view.is_manifest_list = manifest.isList;
    if (!legacyImage) view.size = manifest.layersSize;
  }
  if (startS > 0) view.last_modified = formatQuayDate(startS);
  if (endS !== undefined) view.expiration = formatQuayDate(endS);
  return view;
}
