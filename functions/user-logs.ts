/** GET /api/v1/user/logs — every audit entry of the caller's own namespace. */
import { readLogs } from '../shared/domain/audit-logs.js';
import { requireUser } from '../shared/http/admin.js';
import { apiHandler } from '../shared/http/api.js';
import { quay } from '../shared/http/errors.js';

export const handler = apiHandler('user-logs', async (request) => {
  const principal = requireUser(request);
  // An organization that took this name is not the user's namespace.
  if ((await request.deps.store.namespaces.getNamespace(principal.username))?.kind === 'organization') throw quay.unauthorized(true);
  const { starttime, endtime, next_page: nextPage } = request.query;
  const body = await readLogs(request.deps, { namespace: principal.username, repository: null, starttime, endtime, nextPage });
  return { status: 200, body: { ...body, namespace: { kind: 'user', name: principal.username } } };
});
