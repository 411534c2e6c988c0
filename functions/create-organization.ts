/** POST /api/v1/organization/ — create an organization; the caller becomes its admin. */
import { NAMESPACE_PATTERN } from '../shared/domain/names.js';
import { changeBy, requireUser } from '../shared/http/admin.js';
import { jsonBody } from '../shared/http/body.js';
import { quay } from '../shared/http/errors.js';
import { apiHandler } from '../shared/http/api.js';
import { DEFAULT_TAG_EXPIRATION_S } from '../shared/store/index.js';

const TAKEN = 'A user or organization with this name already exists';

export const handler = apiHandler(
  'create-organization',
  async (request) => {
  const principal = requireUser(request);
  const body = jsonBody(request, 'CreateOrganization');
  if (!NAMESPACE_PATTERN.test(body.name)) {
    throw quay.invalidRequest('Invalid organization name: use 2-255 lowercase letters and digits, separated by single ".", "_" or "-"');
  }
  if (body.name === principal.username) throw quay.invalidRequest(TAKEN);
  const now = request.deps.clock.now();
  await request.deps.store.namespaces.createOrganization(
    { name: body.name, kind: 'organization', admins: [principal.username], email: body.email, tagExpirationS: DEFAULT_TAG_EXPIRATION_S, createdAt: now },
    changeBy(request, 'org_create', body.name, null, { email: body.email ?? null, namespace: body.name }),
  );
  return { status: 201, body: 'Created' };
  },
  // Any namespace of that name exists.
  { jsonBody: true, conflict: () => quay.invalidRequest(TAKEN) },
);
