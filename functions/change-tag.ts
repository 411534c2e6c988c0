/**
 * PUT /api/v1/repository/{ns}/{repo}/tag/{tag} — Quay's changeTag: create or move a tag
 * (`manifest_digest`, or the legacy `image` id) and/or set its `expiration` and `immutable` flag.
 */
import { isValidDigest } from '../shared/domain/digest.js';
import { LEGACY_IMAGE_ID_PATTERN } from '../shared/domain/names.js';
import { TAG_ERROR, isValidTagName } from '../shared/domain/quay-format.js';
import { changeExpiration, manifestForLegacyImage, retarget, tagChange } from '../shared/domain/tag-operations.js';
import type { TagDeps } from '../shared/domain/tag-operations.js';
import { isUsableExpiration } from '../shared/domain/tag-rules.js';
import { changeImmutability } from '../shared/domain/tag-protection.js';
import { roleAtLeast } from '../shared/domain/permissions.js';
import { has, jsonBody } from '../shared/http/body.js';
import type { BodyTypes } from '../shared/http/schemas.js';
import { quay } from '../shared/http/errors.js';
import { apiHandler } from '../shared/http/api.js';
import { actorOf, authorizeRepository, rejectApplicationRepository, requireRepository } from '../shared/http/repository-access.js';

async function resolveTarget(deps: TagDeps, pk: string, body: BodyTypes['ChangeTag']): Promise<{ digest: string; imageId: string | null }> {
  // manifest_digest wins when both are sent ([L] 754b3f79).
  if (has(body, 'manifest_digest')) {
    const digest = body.manifest_digest;
    // Reachability is checked by the retarget itself (reachableOnly), under its transaction.
    if (!isValidDigest(digest)) throw quay.notFound();
    return { digest, imageId: null };
  }
  const image = body.image;
  const manifest = image && LEGACY_IMAGE_ID_PATTERN.test(image) ? await manifestForLegacyImage(deps, pk, image, true) : null;
  if (!manifest || !image) throw quay.notFound();
  return { digest: manifest.digest, imageId: image };
}

export const handler = apiHandler(
  'change-tag',
  async (request) => {
  const context = await authorizeRepository(request, 'write');
  rejectApplicationRepository(context);
  const body = jsonBody(request, 'ChangeTag');
  const tag = request.params.tag;
  if (!isValidTagName(tag)) throw quay.message(400, TAG_ERROR);
  requireRepository(context);

  const { deps } = request;
  const actor = actorOf(context, request);
  const expiration = body.expiration ?? null;

  const moves = has(body, 'manifest_digest') || has(body, 'image');
  // Quay's order: expiration, then immutable, then the target (no transaction across them).
  if (!moves && has(body, 'expiration')) await changeExpiration(deps, actor, tag, expiration);
  if (has(body, 'immutable')) await changeImmutability(deps, actor, tag, body.immutable, roleAtLeast(context.role, 'admin'));
  if (moves) {
    // Quay's 500 on huge values is a 400 here, like any unusable expiration.
    if (expiration !== null && !isUsableExpiration(expiration, deps.clock.now())) throw quay.badRequest();
    const target = await resolveTarget(deps, context.pk, body);
    await retarget(deps, actor, {
        tag,
        manifestDigest: target.digest,
        reversion: false,
        reachableOnly: target.imageId === null,
        // Unlike Quay, an expiration sent with a target applies to the new range (not the old one).
        ...(expiration !== null ? { expirationS: expiration } : {}),
        changes: (previous, range) => {
          const username = actor.performer?.username ?? null;
          const changes = [
            tagChange(actor, previous ? 'move_tag' : 'create_tag', range.start, {
              username,
              repo: actor.repository,
              tag,
              namespace: actor.namespace,
              image: target.imageId,
              manifest_digest: target.imageId === null ? target.digest : null,
              original_manifest_digest: previous?.manifestDigest ?? null,
            }),
          ];
          if (expiration !== null) {
            changes.push(
              tagChange(actor, 'change_tag_expiration', range.start, {
                username,
                repo: actor.repository,
                tag,
                namespace: actor.namespace,
                expiration_date: expiration,
                old_expiration_date: null,
              }),
            );
          }
          return changes;
        },
    });
  }
  return { status: 201, body: 'Updated' };
  },
  // The tag kept changing under the retarget (changeExpiration answers its own conflicts).
  { jsonBody: true, conflict: () => quay.invalidRequest('Could not move tag') },
);
