/** DELETE /api/v1/repository/{ns}/{repo}/tag/{tag} — Quay's deleteFullTag. */
import { isValidTagName } from '../shared/domain/quay-format.js';
import { deleteTag } from '../shared/domain/tag-operations.js';
import { apiHandler } from '../shared/http/api.js';
import { expectationOf } from '../shared/http/preconditions.js';
import { quay } from '../shared/http/errors.js';
import { actorOf, authorizeRepositoryAlongside, pathTagPointer, rejectApplicationRepository, requireRepository } from '../shared/http/repository-access.js';

export const handler = apiHandler('delete-tag', async (request) => {
  const tag = request.params.tag;
  // The tag's pointer is read alongside the authorization (a name the rule refuses is not read).
  const { context, data } = await authorizeRepositoryAlongside(request, 'write', (pk) => pathTagPointer(request, pk));
  rejectApplicationRepository(context);
  requireRepository(context);
  // Quay does not validate names here; a name the tag rule refuses was simply never created.
  if (!isValidTagName(tag)) throw quay.notFound();
  const expect = expectationOf(request, { noneMatch: false });
  await deleteTag(request.deps, actorOf(context, request), tag, { pointer: data(), ...(expect ? { expect } : {}) });
  return { status: 204 };
}, { conflict: () => quay.invalidRequest('Could not delete tag') });
