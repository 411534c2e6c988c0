/**
 * POST /api/v1/repository/{ns}/{repo}/tag/{tag}/restore — Quay's restoreTag: point the tag back at
 * any manifest still stored in the repository (even one only dead tags reference), as a new range
 * marked `reversion`.
 */
import { isValidDigest } from '../shared/domain/digest.js';
import { LEGACY_IMAGE_ID_PATTERN } from '../shared/domain/names.js';
import { TAG_ERROR, isValidTagName } from '../shared/domain/quay-format.js';
import { quay } from '../shared/http/errors.js';
import { manifestForLegacyImage, retarget, tagChange } from '../shared/domain/tag-operations.js';
import { has, jsonBody } from '../shared/http/body.js';
import { apiHandler } from '../shared/http/api.js';
import { expectationOf } from '../shared/http/preconditions.js';
import { actorOf, authorizeRepository, rejectApplicationRepository, requireRepository } from '../shared/http/repository-access.js';

export const handler = apiHandler(
  'restore-tag',
  async (request) => {
  const context = await authorizeRepository(request, 'write');
  rejectApplicationRepository(context);
  const body = jsonBody(request, 'RestoreTag');
  // Unlike Quay, restore applies the tag rule: it creates tags too.
  if (!isValidTagName(request.params.tag)) throw quay.message(400, TAG_ERROR);
  requireRepository(context);
  if (!has(body, 'manifest_digest') && !has(body, 'image')) throw quay.invalidRequest('Missing manifest_digest');
  const expect = expectationOf(request, { noneMatch: false });

  const { deps } = request;
  const tag = request.params.tag;
  // Identifiers of the wrong form name nothing: not found, without a lookup.
  const manifest = has(body, 'manifest_digest')
    ? isValidDigest(body.manifest_digest)
      ? await deps.store.manifests.getManifest(context.pk, body.manifest_digest)
      : null
    : has(body, 'image') && LEGACY_IMAGE_ID_PATTERN.test(body.image)
      ? await manifestForLegacyImage(deps, context.pk, body.image, false)
      : null;
  if (!manifest) throw quay.notFound();

  const actor = actorOf(context, request);
  await retarget(deps, actor, {
      tag,
      manifestDigest: manifest.digest,
      reversion: true,
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
