/** DELETE /api/v1/repository/{ns}/{repo}/tag/{tag} — Quay's deleteFullTag. */
import { isValidTagName } from '../shared/domain/quay-format.js';
import { deleteTag } from '../shared/domain/tag-operations.js';
import { apiHandler } from '../shared/http/api.js';
import { expectationOf } from '../shared/http/preconditions.js';
import { quay } from '../shared/http/errors.js';
import { actorOf, authorizeRepository, rejectApplicationRepository, requireRepository } from '../shared/http/repository-access.js';

export const handler = apiHandler('delete-tag', async (request) => {
  const context = await authorizeRepository(request, 'write');
  rejectApplicationRepository(context);
  requireRepository(context);
  // Quay does not validate names here; a name the tag rule refuses was simply never created.
  if (!isValidTagName(request.params.tag)) throw quay.notFound();
  await deleteTag(request.deps, actorOf(context, request), request.params.tag, expectationOf(request, { noneMatch: false }));
  return { status: 204 };
}, { conflict: () => quay.invalidRequest('Could not delete tag') });
