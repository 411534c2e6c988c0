/** GET /api/v1/repository/{ns}/{repo}/permissions/user/ — the repository's user grants (admins only). */
import { apiHandler } from '../shared/http/api.js';
import { authorizeRepository, requireRepository } from '../shared/http/repository-access.js';

export const handler = apiHandler('list-user-permissions', async (request) => {
  const context = await authorizeRepository(request, 'admin');
  requireRepository(context);
  const permissions = await request.deps.store.repositories.listPermissions(context.namespace, context.repositoryName);
  return {
    status: 200,
    body: {
      permissions: Object.fromEntries(
        permissions.map((permission) => [
          permission.username,
          { role: permission.role, name: permission.username, is_robot: permission.username.includes('+') },
        ]),
      ),
    },
  };
});
