/** The tag object of Quay's API (seed `_tag_dict`), key for key and in the same order. */
import type { ManifestRecord, TagRange } from '../store/records.js';
import { formatQuayDate } from './quay-format.js';

export function parseManifestJson(manifest: ManifestRecord): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(manifest.bytes));
  } catch {
    return undefined;
  }
}

export function tagView(range: TagRange, manifest: ManifestRecord | undefined): Record<string, unknown> {
  const startS = Math.floor(range.start / 1000);
  const endS = range.end === undefined ? undefined : Math.floor(range.end / 1000);
  const view: Record<string, unknown> = { name: range.name, reversion: range.reversion };
  if (startS > 0) view.start_ts = startS;
  // Also present on alive tags whose expiration is still ahead.
  if (endS !== undefined && endS > 0) view.end_ts = endS;
  if (manifest) {
    const imageId = manifest.legacyChain[0];
    if (imageId) {
      view.docker_image_id = imageId;
      view.image_id = imageId;
    }
    view.size = manifest.layersSize;
  }
  view.manifest_digest = range.manifestDigest;
  if (manifest) {
    const parsed = parseManifestJson(manifest);
    if (parsed !== undefined) view.manifest = parsed;
    view.is_manifest_list = manifest.isList;
  }
  if (startS > 0) view.last_modified = formatQuayDate(startS);
  if (endS !== undefined) view.expiration = formatQuayDate(endS);
  return view;
}
