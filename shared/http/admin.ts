/** Helpers of the administration routes: namespace authorization and audit changes. */
import { isStorableName } from '../domain/names.js';
import { decideNamespaceAdmin, scopeCeiling } from '../domain/permissions.js';
import type { NamespaceRecord } from '../store/index.js';
import type { ChangeRecord } from '../store/index.js';
import { quay } from './errors.js';
import type { ApiRequest } from './pipeline.js';
import { performerOf } from './repository-access.js';

/** The caller must administer `namespace`; returns its record (null for a user's untouched namespace). */
export async function authorizeNamespaceAdmin(request: ApiRequest, namespace: string): Promise<NamespaceRecord | null> {
  const record = isStorableName(namespace) ? await request.deps.store.namespaces.getNamespace(namespace) : null;
  const decision = decideNamespaceAdmin({
    principal: request.principal,
    namespace,
    namespaceFacts: record ? { kind: record.kind, admins: new Set(record.admins) } : { kind: 'missing', admins: new Set() },
  });
  if (!decision.allowed) {
    if (decision.status === 404) throw quay.notFound();
    throw quay.unauthorized(decision.status === 403);
  }
  return record;
}

/** An audit change made by the caller of this request, now. */
export function changeBy(
  request: ApiRequest,
  kind: string,
  namespace: string,
  repository: string | null,
  metadata: Record<string, unknown>,
): ChangeRecord {
  return {
    kind,
    namespace,
    repository,
    performer: performerOf(request.principal),
    ip: request.ip,
    at: request.deps.clock.now(),
    metadata,
  };
}

/**
 * Routes about the caller's own account (settings, logs, creating an organization) need a signed-in
 * user: 401 for anonymous callers, 403 for robots and for tokens whose scopes do not include
 * repo:admin (a repo:read token must not be able to change the time-machine window).
 */
export function requireUser(request: ApiRequest) {
  const principal = request.principal;
  if (!principal) throw quay.unauthorized(false);
  if (principal.isRobot || scopeCeiling(principal.scopes) !== 'admin') throw quay.unauthorized(true);
  return principal;
}

/**
 * The caller's own (user) namespace: requireUser, and 403 when an organization holds the
 * caller's username (it is then not the user's namespace; see docs/data-model.md, known limits).
 */
export async function requireOwnNamespace(request: ApiRequest) {
  const principal = requireUser(request);
  const namespace = await request.deps.store.namespaces.getNamespace(principal.username);
  if (namespace?.kind === 'organization') throw quay.unauthorized(true);
  return { principal, namespace };
}
