/** The time-machine window setting shared by PUT /organization/{org} and PUT /user/. */
import { TAG_EXPIRATION_OPTIONS_S } from '../domain/names.js';
import type { ChangeRecord, NamespaceKind } from '../store/index.js';
import { quay } from './errors.js';
import type { ApiRequest } from './pipeline.js';
import type { BodyTypes } from './schemas.js';

/** Applies `tag_expiration_s` when present; returns the new value (undefined when not asked). */
export async function applyTagExpiration(
  request: ApiRequest,
  namespace: string,
  kind: NamespaceKind,
  body: BodyTypes['NamespaceSettings'],
  change: (seconds: number) => ChangeRecord,
): Promise<number | undefined> {
  const seconds = body.tag_expiration_s;
  if (seconds === undefined) return undefined;
  if (!TAG_EXPIRATION_OPTIONS_S.includes(seconds)) throw quay.message(400, 'Invalid tag expiration option');
  // A conflict (the name belongs to an organization, or the organization vanished) is the
  // routes' `namespaceSettingsConflict`.
  await request.deps.store.namespaces.setTagExpiration(namespace, kind, seconds, request.deps.clock.now(), change(seconds));
  return seconds;
}

/** The route options of the settings routes: a JSON body, and a lost write (see above) is a 404. */
export const namespaceSettingsRoute = { jsonBody: true, conflict: () => quay.notFound() };
