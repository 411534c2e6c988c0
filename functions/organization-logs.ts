/** GET /api/v1/organization/{org}/logs — every audit entry of an organization (its admins). */
import { readLogs } from '../shared/domain/audit-logs.js';
import { authorizeNamespaceAdmin } from '../shared/http/admin.js';
import { quay } from '../shared/http/errors.js';
import { apiHandler } from '../shared/http/api.js';

export const handler = apiHandler('organization-logs', async (request) => {
  const org = request.params.org;
  const record = await authorizeNamespaceAdmin(request, org);
  if (!record || record.kind !== 'organization') throw quay.notFound();
  const { starttime, endtime, next_page: nextPage } = request.query;
  const body = await readLogs(request.deps, { namespace: org, repository: null, starttime, endtime, nextPage });
  return { status: 200, body: { ...body, namespace: { kind: 'org', name: org } } };
});
