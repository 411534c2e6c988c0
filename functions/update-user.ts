/** PUT /api/v1/user/ — the caller's own settings: the time-machine window of their namespace. */
import { changeBy, requireOwnNamespace } from '../shared/http/admin.js';
import { jsonBody } from '../shared/http/body.js';
import { apiHandler } from '../shared/http/api.js';
import { applyTagExpiration, namespaceSettingsRoute } from '../shared/http/namespace-settings.js';
import { DEFAULT_TAG_EXPIRATION_S } from '../shared/store/index.js';

export const handler = apiHandler('update-user', async (request) => {
  const { principal, namespace } = await requireOwnNamespace(request);
  const body = jsonBody(request, 'NamespaceSettings');
  const seconds = await applyTagExpiration(request, principal.username, 'user', body, (value) =>
    changeBy(request, 'user_change_tag_expiration', principal.username, null, { tag_expiration: value }),
  );
  const current = seconds ?? namespace?.tagExpirationS ?? DEFAULT_TAG_EXPIRATION_S;
  return { status: 200, body: { username: principal.username, tag_expiration_s: current } };
}, namespaceSettingsRoute);
