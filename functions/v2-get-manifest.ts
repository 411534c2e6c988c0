/** GET and HEAD /v2/{ns}/{repo}/manifests/{reference} — fetch a manifest by tag or by digest. */
import { isValidDigest } from '../shared/domain/digest.js';
import { isValidTagName } from '../shared/domain/quay-format.js';
import { isAlive } from '../shared/domain/tag-rules.js';
import { ociError } from '../shared/http/errors.js';
import { apiHandler } from '../shared/http/api.js';
import { authorizeRegistryAlongside } from '../shared/http/registry-access.js';

export const handler = apiHandler(
  'v2-get-manifest',
  async (request) => {
    const { store, clock } = request.deps;
    const reference = request.params.reference;
    const byDigest = isValidDigest(reference);
    const byTag = !byDigest && isValidTagName(reference);
    // The manifest (by digest) or the tag's pointer is read alongside the authorization.
    const { context, data } = await authorizeRegistryAlongside(request, 'read', async (pk) =>
      byDigest ? { manifest: await store.manifests.getManifest(pk, reference) } : byTag ? { pointer: await store.tags.getLiveTag(pk, reference) } : {},
    );
    const read = await data();
    let manifest = read.manifest ?? null;
    if (read.pointer !== undefined) {
      // A tag: only an alive one resolves (expiry is exact at read time).
      const pointer = read.pointer;
      manifest = pointer && isAlive(pointer, clock.now()) ? await store.manifests.getManifest(context.pk, pointer.manifestDigest) : null;
    }
    if (!manifest) throw ociError(404, 'MANIFEST_UNKNOWN', 'manifest unknown', { reference });
    return {
      status: 200,
      rawBody: manifest.bytes,
      headers: {
        'content-type': manifest.mediaType,
        'content-length': String(manifest.bytes.byteLength),
        'docker-content-digest': manifest.digest,
        etag: `"${manifest.digest}"`,
      },
    };
  },
  { errors: 'oci' },
);
