/** DELETE /api/v1/repository/{ns}/{repo}/permissions/user/{username} — revoke a user's role. */
import { isUserName } from '../shared/domain/names.js';
import { changeBy } from '../shared/http/admin.js';
import { quay } from '../shared/http/errors.js';
import { apiHandler } from '../shared/http/api.js';
import { authorizeRepository, requireRepository } from '../shared/http/repository-access.js';

/** Quay: DataModelException → 400 {"message": ...}. */
const NO_GRANT = 'User does not have permission for repo.';

export const handler = apiHandler(
  'delete-user-permission',
  async (request) => {
    const context = await authorizeRepository(request, 'admin');
    requireRepository(context);
    const username = request.params.username;
    // A name no user can have holds no grant, and is never made into a key.
    if (!isUserName(username)) throw quay.message(400, NO_GRANT);
    await request.deps.store.repositories.deletePermission(
      context.namespace,
      context.repositoryName,
      username,
      changeBy(request, 'delete_repo_permission', context.namespace, context.repositoryName, {
        username,
        repo: context.repositoryName,
        namespace: context.namespace,
      }),
    );
    return { status: 204 };
  },
  // No such grant.
  { conflict: () => quay.message(400, NO_GRANT) },
);
