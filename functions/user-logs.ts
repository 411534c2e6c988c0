/** GET /api/v1/user/logs — every audit entry of the caller's own namespace. */
import { readLogs } from '../shared/domain/audit-logs.js';
import { requireOwnNamespace } from '../shared/http/admin.js';
import { apiHandler } from '../shared/http/api.js';

export const handler = apiHandler('user-logs', async (request) => {
  const { principal } = await requireOwnNamespace(request);
  const { starttime, endtime, next_page: nextPage } = request.query;
  const body = await readLogs(request.deps, { namespace: principal.username, repository: null, starttime, endtime, nextPage });
  return { status: 200, body: { ...body, namespace: { kind: 'user', name: principal.username } } };
});
