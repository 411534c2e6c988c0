/**
 * POST /api/v1/repository/{ns}/{repo}/tag/ — extension: create, move and delete several tags in one
 * transaction, each optionally conditional on its current digest (shared/domain/tag-batch.ts).
 */
import { randomUUID } from 'node:crypto';
import { isValidDigest } from '../shared/domain/digest.js';
import { TAG_ERROR, isValidTagName } from '../shared/domain/quay-format.js';
import { applyTagChanges } from '../shared/domain/tag-batch.js';
import type { TagChangeRequest } from '../shared/domain/tag-batch.js';
import { apiHandler } from '../shared/http/api.js';
import { jsonBody } from '../shared/http/body.js';
import { quay } from '../shared/http/errors.js';
import type { BodyTypes } from '../shared/http/schemas.js';
import { actorOf, authorizeRepository, rejectApplicationRepository, requireRepository } from '../shared/http/repository-access.js';

type Change = BodyTypes['TagChanges']['changes'][number];

/** One change of the body as the domain takes it; anything ambiguous or malformed is a 400. */
function changeRequest(change: Change): TagChangeRequest {
  if (!isValidTagName(change.tag)) throw quay.message(400, TAG_ERROR);
  const deletes = change.delete === true;
  if (deletes === (change.manifest_digest !== undefined)) {
    throw quay.invalidRequest('Each change needs either manifest_digest or "delete": true');
  }
  if (change.manifest_digest !== undefined && !isValidDigest(change.manifest_digest)) throw quay.invalidRequest('Invalid manifest_digest');
  const expected = change.expected_manifest_digest;
  if (typeof expected === 'string' && !isValidDigest(expected)) throw quay.invalidRequest('Invalid expected_manifest_digest');
  return {
    tag: change.tag,
    manifestDigest: deletes ? null : (change.manifest_digest as string),
    ...(expected === undefined ? {} : { expect: expected === null ? { kind: 'not_alive' as const } : { kind: 'alive_at' as const, digest: expected } }),
  };
}

export const handler = apiHandler(
  'change-tags',
  async (request) => {
    const context = await authorizeRepository(request, 'write');
    rejectApplicationRepository(context);
    const changes = jsonBody(request, 'TagChanges').changes.map(changeRequest);
    if (new Set(changes.map((change) => change.tag)).size !== changes.length) throw quay.invalidRequest('Each tag may appear once');
    requireRepository(context);
    const results = await applyTagChanges(request.deps, actorOf(context, request), changes, randomUUID());
    return { status: 200, body: { changes: results } };
  },
  { jsonBody: true, conflict: () => quay.invalidRequest('Could not change tags; they kept changing') },
);
