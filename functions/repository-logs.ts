/** GET /api/v1/repository/{ns}/{repo}/logs — the repository's audit trail (repository admins). */
import { readLogs } from '../shared/domain/audit-logs.js';
import { apiHandler } from '../shared/http/api.js';
import { authorizeRepository, requireRepository } from '../shared/http/repository-access.js';

export const handler = apiHandler('repository-logs', async (request) => {
  const context = await authorizeRepository(request, 'admin');
  requireRepository(context);
  const { starttime, endtime, next_page: nextPage } = request.query;
  const body = await readLogs(request.deps, {
    namespace: context.namespace,
    repository: context.repositoryName,
    starttime,
    endtime,
    nextPage,
  });
  return { status: 200, body };
});
