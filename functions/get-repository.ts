/** GET /api/v1/repository/{ns}/{repo} — the repository and what the caller may do with it. */
import { roleAtLeast } from '../shared/domain/permissions.js';
import { apiHandler } from '../shared/http/api.js';
import { authorizeRepository, requireRepository } from '../shared/http/repository-access.js';

export const handler = apiHandler('get-repository', async (request) => {
  const context = await authorizeRepository(request, 'read');
  const repository = requireRepository(context);
  return {
    status: 200,
    body: {
      namespace: repository.namespace,
      name: repository.name,
      kind: repository.kind,
      description: repository.description,
      is_public: repository.visibility === 'public',
      is_organization: context.namespaceRecord?.kind === 'organization',
      can_write: roleAtLeast(context.role, 'write'),
      can_admin: roleAtLeast(context.role, 'admin'),
      state: 'NORMAL',
      tag_expiration_s: context.windowS,
    },
  };
});
