/** GET and HEAD /v2/{ns}/{repo}/manifests/{reference} — fetch a manifest by tag or by digest. */
import { isValidDigest } from '../shared/domain/digest.js';
import { isValidTagName } from '../shared/domain/quay-format.js';
import { isAlive } from '../shared/domain/tag-rules.js';
import { ociError } from '../shared/http/errors.js';
import { apiHandler } from '../shared/http/api.js';
import { authorizeRegistry } from '../shared/http/registry-access.js';

export const handler = apiHandler(
  'v2-get-manifest',
  async (request) => {
    const context = await authorizeRegistry(request, 'read');
    const { store, clock } = request.deps;
    const reference = request.params.reference;
    let digest: string | null = reference;
    if (!isValidDigest(reference)) {
      if (!isValidTagName(reference)) throw ociError(404, 'MANIFEST_UNKNOWN', 'manifest unknown', { reference });
      // A tag: only an alive one resolves (expiry is exact at read time).
      const pointer = await store.tags.getLiveTag(context.pk, reference);
      digest = pointer && isAlive(pointer, clock.now()) ? pointer.manifestDigest : null;
    }
    const manifest = digest ? await store.manifests.getManifest(context.pk, digest) : null;
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
