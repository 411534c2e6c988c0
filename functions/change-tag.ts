/**
 * PUT /api/v1/repository/{ns}/{repo}/tag/{tag} — Quay's changeTag: create or move a tag
 * (`manifest_digest`, or the legacy `image` id) and/or set its `expiration` and `immutable` flag.
 */
import { isValidDigest } from '../shared/domain/digest.js';
import { LEGACY_IMAGE_ID_PATTERN } from '../shared/domain/names.js';
import { TAG_ERROR, isValidTagName } from '../shared/domain/quay-format.js';
import { changeExpiration, legacyImageLeaves, manifestForLegacyImage, retarget, tagChange } from '../shared/domain/tag-operations.js';
import type { TagDeps } from '../shared/domain/tag-operations.js';
import { isUsableExpiration } from '../shared/domain/tag-rules.js';
import { has, jsonBody, validJsonBodyOrNull } from '../shared/http/body.js';
import type { ApiRequest } from '../shared/http/pipeline.js';
import { changeImmutability } from '../shared/domain/tag-protection.js';
import { roleAtLeast } from '../shared/domain/permissions.js';
import type { BodyTypes } from '../shared/http/schemas.js';
import { quay } from '../shared/http/errors.js';
import { apiHandler } from '../shared/http/api.js';
import { expectationOf } from '../shared/http/preconditions.js';
import { actorOf, authorizeRepositoryAlongside, awaitedLater, pathTagPointer, rejectApplicationRepository, requireRepository } from '../shared/http/repository-access.js';

/** The reads a request needs besides its authorization, all started alongside it. */
function prefetch(request: ApiRequest, pk: string) {
  const { deps } = request;
  const body = validJsonBodyOrNull(request, 'ChangeTag');
  const image = body && !has(body, 'manifest_digest') && has(body, 'image') ? body.image : null;
  return {
    pointer: pathTagPointer(request, pk),
    leaves: image && LEGACY_IMAGE_ID_PATTERN.test(image) ? awaitedLater(legacyImageLeaves(deps, pk, image)) : undefined,
  };
}

async function resolveTarget(
  deps: TagDeps,
  pk: string,
  body: BodyTypes['ChangeTag'],
  leaves: Promise<string[]> | undefined,
): Promise<{ digest: string; imageId: string | null }> {
  // manifest_digest wins when both are sent ([L] 754b3f79).
  if (has(body, 'manifest_digest')) {
    const digest = body.manifest_digest;
    // Reachability is checked by the retarget itself (reachableOnly), under its transaction.
    if (!isValidDigest(digest)) throw quay.notFound();
    return { digest, imageId: null };
  }
  const image = body.image;
  if (!image || !LEGACY_IMAGE_ID_PATTERN.test(image)) throw quay.notFound();
  const found = await (leaves ?? legacyImageLeaves(deps, pk, image));
  // The usual case, one manifest with that leaf id: the retarget checks its reachability, as for a
  // digest. Several: the most recent reachable one.
  if (found.length === 1) return { digest: found[0] as string, imageId: image };
  const manifest = found.length ? await manifestForLegacyImage(deps, pk, image, true, Promise.resolve(found)) : null;
  if (!manifest) throw quay.notFound();
  return { digest: manifest.digest, imageId: image };
}

export const handler = apiHandler(
  'change-tag',
  async (request) => {
  const tag = request.params.tag;
  // The tag's pointer (and a legacy image id's manifests) are read alongside the authorization.
  const { context, data } = await authorizeRepositoryAlongside(request, 'write', async (pk) => prefetch(request, pk));
  const reads = await data();
  rejectApplicationRepository(context);
  const body = jsonBody(request, 'ChangeTag');
  if (!isValidTagName(tag)) throw quay.message(400, TAG_ERROR);
  requireRepository(context);

  const { deps } = request;
  const actor = actorOf(context, request);
  const expiration = body.expiration ?? null;
  const expect = expectationOf(request, { noneMatch: true });

  const moves = has(body, 'manifest_digest') || has(body, 'image');
  // Quay's order: expiration, then immutable, then the target (no transaction across them).
  const preconditions = expect ? { expect } : {};
  if (!moves && has(body, 'expiration')) await changeExpiration(deps, actor, tag, expiration, { pointer: reads.pointer, ...preconditions });
  if (has(body, 'immutable')) await changeImmutability(deps, actor, tag, body.immutable, roleAtLeast(context.role, 'admin'));
  if (moves) {
    // Quay's 500 on huge values is a 400 here, like any unusable expiration.
    if (expiration !== null && !isUsableExpiration(expiration, deps.clock.now())) throw quay.badRequest();
    const target = await resolveTarget(deps, context.pk, body, reads.leaves);
    await retarget(deps, actor, {
        tag,
        manifestDigest: target.digest,
        reversion: false,
        reachableOnly: true,
        // The pointer read alongside the authorization is stale once the immutable step wrote it.
        ...(has(body, 'immutable') ? {} : { pointer: reads.pointer }),
        ...preconditions,
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
