/**
 * POST /api/v1/repository/{ns}/{repo}/tag/{tag}/restore — Quay's restoreTag: point the tag back at
 * any manifest still stored in the repository (even one only dead tags reference), as a new range
 * marked `reversion`.
 */
import { isValidDigest } from '../shared/domain/digest.js';
import { LEGACY_IMAGE_ID_PATTERN } from '../shared/domain/names.js';
import { TAG_ERROR, isValidTagName } from '../shared/domain/quay-format.js';
import { quay } from '../shared/http/errors.js';
import { legacyImageLeaves, manifestForLegacyImage, retarget, tagChange } from '../shared/domain/tag-operations.js';
import { has, jsonBody, validJsonBodyOrNull } from '../shared/http/body.js';
import type { ApiRequest } from '../shared/http/pipeline.js';
import { apiHandler } from '../shared/http/api.js';
import { expectationOf } from '../shared/http/preconditions.js';
import { actorOf, authorizeRepositoryAlongside, awaitedLater, pathTagPointer, rejectApplicationRepository, requireRepository } from '../shared/http/repository-access.js';

/** The reads a restore needs besides its authorization (the manifest only for a valid body). */
function prefetch(request: ApiRequest, pk: string) {
  const { deps } = request;
  const body = validJsonBodyOrNull(request, 'RestoreTag');
  const digest = body && has(body, 'manifest_digest') && isValidDigest(body.manifest_digest) ? body.manifest_digest : null;
  const image = body && !has(body, 'manifest_digest') && has(body, 'image') && LEGACY_IMAGE_ID_PATTERN.test(body.image) ? body.image : null;
  return {
    pointer: pathTagPointer(request, pk),
    manifest: digest ? awaitedLater(deps.store.manifests.getManifest(pk, digest)) : undefined,
    // A legacy id: only its IMG# entries before the decision; the manifests they name after it.
    leaves: image ? awaitedLater(legacyImageLeaves(deps, pk, image)) : undefined,
  };
}

export const handler = apiHandler(
  'restore-tag',
  async (request) => {
  const { deps } = request;
  const tag = request.params.tag;
  // The tag's pointer and the manifest named by the body are read alongside the authorization.
  const { context, data } = await authorizeRepositoryAlongside(request, 'write', async (pk) => prefetch(request, pk));
  const reads = await data();
  rejectApplicationRepository(context);
  const body = jsonBody(request, 'RestoreTag');
  // Unlike Quay, restore applies the tag rule: it creates tags too.
  if (!isValidTagName(tag)) throw quay.message(400, TAG_ERROR);
  requireRepository(context);
  if (!has(body, 'manifest_digest') && !has(body, 'image')) throw quay.invalidRequest('Missing manifest_digest');
  const expect = expectationOf(request, { noneMatch: false });

  // Identifiers of the wrong form name nothing: not found, without a lookup.
  const manifest = has(body, 'manifest_digest')
    ? isValidDigest(body.manifest_digest)
      ? await (reads.manifest ?? deps.store.manifests.getManifest(context.pk, body.manifest_digest))
      : null
    : has(body, 'image') && LEGACY_IMAGE_ID_PATTERN.test(body.image)
      ? await manifestForLegacyImage(deps, context.pk, body.image, false, reads.leaves)
      : null;
  if (!manifest) throw quay.notFound();

  const actor = actorOf(context, request);
  await retarget(deps, actor, {
      tag,
      manifestDigest: manifest.digest,
      reversion: true,
      pointer: reads.pointer,
      ...(expect ? { expect } : {}),
      // As Quay: no `namespace` key in revert_tag.
      changes: (_previous, range) => [
        tagChange(actor, 'revert_tag', range.start, {
          username: actor.performer?.username ?? null,
          repo: actor.repository,
          tag,
          manifest_digest: manifest.digest,
          image: body.image ?? null,
        }),
      ],
  });
  return { status: 200, body: {} };
  },
  { jsonBody: true, conflict: () => quay.invalidRequest('Could not restore tag') },
);
