/** DELETE /api/v1/repository/{ns}/{repo}/permissions/user/{username} — revoke a user's role. */
import { changeBy } from '../shared/http/admin.js';
import { quay } from '../shared/http/errors.js';
import { apiHandler } from '../shared/http/api.js';
import { authorizeRepository, requireRepository } from '../shared/http/repository-access.js';

export const handler = apiHandler('delete-user-permission', async (request) => {
  const context = await authorizeRepository(request, 'admin');
  requireRepository(context);
  const username = request.params.username;
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
  // No such grant. Quay: DataModelException → 400 {"message": ...}.
}, { conflict: () => quay.message(400, 'User does not have permission for repo.') });
