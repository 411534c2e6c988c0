/** PUT /api/v1/organization/{org} — organization settings: the time-machine window. */
import { changeBy } from '../shared/http/admin.js';
import { authorizeNamespaceAdmin } from '../shared/http/admin.js';
import { jsonBody } from '../shared/http/body.js';
import { quay } from '../shared/http/errors.js';
import { apiHandler } from '../shared/http/api.js';
import { applyTagExpiration, namespaceSettingsRoute } from '../shared/http/namespace-settings.js';

export const handler = apiHandler('update-organization', async (request) => {
  const org = request.params.org;
  const record = await authorizeNamespaceAdmin(request, org);
  if (!record || record.kind !== 'organization') throw quay.notFound();
  const body = jsonBody(request, 'NamespaceSettings');
  const seconds = await applyTagExpiration(request, org, 'organization', body, (value) =>
    changeBy(request, 'org_change_tag_expiration', org, null, { tag_expiration: value, namespace: org }),
  );
  return {
    status: 200,
    body: { name: org, email: record.email ?? null, is_admin: true, tag_expiration_s: seconds ?? record.tagExpirationS },
  };
}, namespaceSettingsRoute);
