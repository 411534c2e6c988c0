/** PUT /api/v1/user/ — the caller's own settings: the time-machine window of their namespace. */
import { changeBy, requireUser } from '../shared/http/admin.js';
import { compileSchema, jsonBody } from '../shared/http/body.js';
import { apiHandler } from '../shared/http/api.js';
import { applyTagExpiration, namespaceSettingsSchema } from '../shared/http/namespace-settings.js';
import type { NamespaceSettingsBody } from '../shared/http/namespace-settings.js';
import { DEFAULT_TAG_EXPIRATION_S } from '../shared/store/index.js';

const validate = compileSchema<NamespaceSettingsBody>(namespaceSettingsSchema);

export const handler = apiHandler('update-user', async (request) => {
  const principal = requireUser(request);
  const body = jsonBody(request, validate);
  const seconds = await applyTagExpiration(request, principal.username, 'user', body, (value) =>
    changeBy(request, 'user_change_tag_expiration', principal.username, null, { tag_expiration: value }),
  );
  const current = seconds ?? (await request.deps.store.namespaces.getNamespace(principal.username))?.tagExpirationS;
  return { status: 200, body: { username: principal.username, tag_expiration_s: current ?? DEFAULT_TAG_EXPIRATION_S } };
});
