/** PUT /v2/{ns}/{repo}/manifests/{reference} — push a manifest by tag or by digest. */
import { isValidDigest } from '../shared/domain/digest.js';
import { ingestManifest } from '../shared/domain/ingest.js';
import { MAX_MANIFEST_BYTES, ManifestError, parseManifest } from '../shared/domain/manifest.js';
import { isValidTagName } from '../shared/domain/quay-format.js';
import { ociError } from '../shared/http/errors.js';
import { apiHandler } from '../shared/http/api.js';
import { authorizeRegistry } from '../shared/http/registry-access.js';
import { actorOf } from '../shared/http/repository-access.js';

export const handler = apiHandler(
  'v2-put-manifest',
  async (request) => {
    const context = await authorizeRegistry(request, 'write');
    const reference = request.params.reference;
    const byDigest = reference.includes(':');
    if (byDigest ? !isValidDigest(reference) : !isValidTagName(reference)) {
      throw byDigest
        ? ociError(400, 'DIGEST_INVALID', 'invalid digest reference', { reference })
        : ociError(400, 'TAG_INVALID', 'invalid tag name', { reference });
    }
    const bytes = request.body ?? new Uint8Array();
    if (bytes.byteLength > MAX_MANIFEST_BYTES) {
      throw ociError(413, 'SIZE_INVALID', `manifest is larger than ${MAX_MANIFEST_BYTES} bytes`, { size: bytes.byteLength });
    }
    let parsed;
    try {
      parsed = parseManifest(bytes, request.headers['content-type']);
    } catch (error) {
      if (!(error instanceof ManifestError)) throw error;
      throw error.code === 'UNSUPPORTED'
        ? ociError(415, 'UNSUPPORTED', error.message)
        : ociError(400, 'MANIFEST_INVALID', error.message);
    }
    if (byDigest && reference !== parsed.digest) {
      throw ociError(400, 'DIGEST_INVALID', 'the digest of the manifest does not match the reference', {
        reference,
        computed: parsed.digest,
      });
    }
    await ingestManifest(request.deps, actorOf(context, request), parsed, bytes, byDigest ? null : reference);
    return {
      status: 201,
      headers: {
        location: `/v2/${context.namespace}/${context.repositoryName}/manifests/${parsed.digest}`,
        'docker-content-digest': parsed.digest,
        'content-length': '0',
      },
    };
  },
  { errors: 'oci', conflict: () => ociError(409, 'DENIED', 'the tag kept changing during the push; retry') },
);
