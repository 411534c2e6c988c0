/**
 * Quay's legacy "docker image ids" (DESIGN 5.4): the seed's `image`, `docker_image_id` and
 * `/images` views still speak in 64-hex image ids, one per layer. Manifests carry no such ids, so
 * they are derived deterministically from the layer chain: every id hashes its parent id, which
 * makes images that share base layers share the ids of those layers, as in Docker v1.
 *
 * Formula (hex = lowercase sha256 hex of the UTF-8 string; layers L0..Ln-1 base first):
 *   parent_0 = "quay-legacy-image:v1"
 *   id_i     = hex(parent_i + "\n" + L_i.digest)                                  for i < n-1
 *   id_top   = hex(parent_{n-1} + "\n" + L_{n-1}.digest + "\nconfig\n" + configDigest)
 *   parent_i = id_{i-1} for i > 0
 * so n layers give n ids, and id_0 = hex("quay-legacy-image:v1\n" + L0.digest) when n > 1.
 * Only the top id sees the config: two images built on the same layers with different configs
 * (env, entrypoint...) get different top ids but keep the same lower ids.
 *   zero layers (OCI artifact): one id = hex("quay-legacy-image:v1\nconfig\n" + configDigest)
 *   manifest list:              one id = hex("quay-legacy-list:v1\n" + manifest digest)
 * A list has no layers of its own; hashing its digest still gives it a stable, unique id.
 * These strings are persisted as ids: changing them changes every image id, hence the `v1` tags.
 */
import { createHash } from 'node:crypto';
import type { ParsedManifest } from './manifest.js';

const IMAGE_SEED = 'quay-legacy-image:v1';
const LIST_SEED = 'quay-legacy-list:v1';

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

type ChainInput = Pick<ParsedManifest, 'isList' | 'layers' | 'configDigest' | 'digest'>;

/** Legacy image ids of a manifest, leaf (top) first, base last. Never empty. */
export function legacyImageChain(manifest: ChainInput): string[] {
  if (manifest.isList) return [sha256Hex(`${LIST_SEED}\n${manifest.digest}`)];

  // Image manifests always have a config (the parser requires one); fall back to the manifest
  // digest so a hand-built input still gets a unique, stable id instead of "config\nnull".
  const config = `\nconfig\n${manifest.configDigest ?? manifest.digest}`;
  const { layers } = manifest;
  if (layers.length === 0) return [sha256Hex(IMAGE_SEED + config)];

  const baseFirst: string[] = [];
  let parent = IMAGE_SEED;
  layers.forEach((layer, i) => {
    const isTop = i === layers.length - 1;
    parent = sha256Hex(`${parent}\n${layer.digest}${isTop ? config : ''}`);
    baseFirst.push(parent);
  });
  return baseFirst.reverse();
}

/** The manifest's `docker_image_id`: the leaf (top) id of its chain. */
export function dockerImageId(manifest: ChainInput): string {
  return legacyImageChain(manifest)[0];
}
