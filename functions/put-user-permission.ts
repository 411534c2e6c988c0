/** PUT /api/v1/repository/{ns}/{repo}/permissions/user/{username} — grant a role. */
import { isUserName } from '../shared/domain/names.js';
import { changeBy } from '../shared/http/admin.js';
import { jsonBody } from '../shared/http/body.js';
import { quay } from '../shared/http/errors.js';
import { apiHandler } from '../shared/http/api.js';
import { authorizeRepository, requireRepository } from '../shared/http/repository-access.js';

export const handler = apiHandler('put-user-permission', async (request) => {
  const context = await authorizeRepository(request, 'admin');
  const body = jsonBody(request, 'PutPermission');
  const username = request.params.username;
  if (!isUserName(username)) throw quay.invalidRequest('Invalid username');
  // A robot belongs to one namespace and can only be granted rights there (as in Quay).
  if (username.includes('+') && username.split('+')[0] !== context.namespace) {
    throw quay.invalidRequest(`Robot account ${username} does not belong to namespace ${context.namespace}`);
  }
  requireRepository(context);
  await request.deps.store.repositories.putPermission(
      context.namespace,
      context.repositoryName,
      { username, role: body.role },
      changeBy(request, 'change_repo_permission', context.namespace, context.repositoryName, {
        username,
        repo: context.repositoryName,
        namespace: context.namespace,
        role: body.role,
    }),
  );
  return { status: 200, body: { role: body.role, name: username, is_robot: username.includes('+') } };
  // The repository was deleted meanwhile.
}, { jsonBody: true, conflict: () => quay.notFound() });
