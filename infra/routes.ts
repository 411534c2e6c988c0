/**
 * THE route table. The CDK stack makes one Lambda function and one API Gateway route per entry; the
 * local runtime serves the same entries through its payload-2.0 adapter. Adding an endpoint means
 * adding a line here and a file `functions/<handler>.ts` exporting `handler`.
 */

export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'DELETE' | 'HEAD';

/** What a function may do to each table: read-only handlers get read-only grants. */
export interface TableAccess {
  registry?: 'read' | 'readwrite';
  audit?: 'read';
}

/**
 * Who may call a route (enforced by the handler; stated here so the table documents it and a test
 * can check every route against it): anyone; any signed-in user (account routes); or a role on the
 * repository named in the path (public repositories are readable by anyone); or namespace admins.
 */
export type RoutePermission = 'anyone' | 'user' | 'repo:read' | 'repo:write' | 'repo:admin' | 'namespace:admin';

export interface RouteDefinition {
  method: HttpMethod;
  /** API Gateway path syntax: `{name}` matches one path segment. */
  path: string;
  /** Base name of the handler file in functions/. */
  handler: string;
  permission: RoutePermission;
  access: TableAccess;
}

const repo = '/api/v1/repository/{ns}/{repo}';
const READ: TableAccess = { registry: 'read' };
const WRITE: TableAccess = { registry: 'readwrite' };
const LOGS: TableAccess = { registry: 'read', audit: 'read' };

export const routes: readonly RouteDefinition[] = [
  { method: 'GET', path: '/health/instance', handler: 'health', permission: 'anyone', access: {} },

  // Quay tag API (shared/reference/quay-tag-api.md §1)
  { method: 'GET', path: `${repo}/tag/`, handler: 'list-tags', permission: 'repo:read', access: READ },
  { method: 'PUT', path: `${repo}/tag/{tag}`, handler: 'change-tag', permission: 'repo:write', access: WRITE },
  { method: 'DELETE', path: `${repo}/tag/{tag}`, handler: 'delete-tag', permission: 'repo:write', access: WRITE },
  { method: 'GET', path: `${repo}/tag/{tag}/images`, handler: 'tag-images', permission: 'repo:read', access: READ },
  { method: 'POST', path: `${repo}/tag/{tag}/restore`, handler: 'restore-tag', permission: 'repo:write', access: WRITE },

  // Administration (DESIGN 5.3)
  { method: 'POST', path: '/api/v1/organization/', handler: 'create-organization', permission: 'user', access: WRITE },
  { method: 'PUT', path: '/api/v1/organization/{org}', handler: 'update-organization', permission: 'namespace:admin', access: WRITE },
  { method: 'PUT', path: '/api/v1/user/', handler: 'update-user', permission: 'user', access: WRITE },
  { method: 'POST', path: '/api/v1/repository', handler: 'create-repository', permission: 'namespace:admin', access: WRITE },
  { method: 'GET', path: repo, handler: 'get-repository', permission: 'repo:read', access: READ },
  { method: 'POST', path: `${repo}/changevisibility`, handler: 'change-visibility', permission: 'repo:admin', access: WRITE },
  { method: 'GET', path: `${repo}/permissions/user/`, handler: 'list-user-permissions', permission: 'repo:admin', access: READ },
  { method: 'PUT', path: `${repo}/permissions/user/{username}`, handler: 'put-user-permission', permission: 'repo:admin', access: WRITE },
  { method: 'DELETE', path: `${repo}/permissions/user/{username}`, handler: 'delete-user-permission', permission: 'repo:admin', access: WRITE },

  // Audit logs (Quay's logs API)
  { method: 'GET', path: `${repo}/logs`, handler: 'repository-logs', permission: 'repo:admin', access: LOGS },
  { method: 'GET', path: '/api/v1/organization/{org}/logs', handler: 'organization-logs', permission: 'namespace:admin', access: LOGS },
  { method: 'GET', path: '/api/v1/user/logs', handler: 'user-logs', permission: 'user', access: LOGS },

  // OCI distribution, manifests only (DESIGN 5.4)
  { method: 'GET', path: '/v2/', handler: 'v2-base', permission: 'anyone', access: {} },
  { method: 'GET', path: '/v2/auth', handler: 'v2-auth', permission: 'anyone', access: {} },
  { method: 'PUT', path: '/v2/{ns}/{repo}/manifests/{reference}', handler: 'v2-put-manifest', permission: 'repo:write', access: WRITE },
  { method: 'GET', path: '/v2/{ns}/{repo}/manifests/{reference}', handler: 'v2-get-manifest', permission: 'repo:read', access: READ },
  { method: 'HEAD', path: '/v2/{ns}/{repo}/manifests/{reference}', handler: 'v2-get-manifest', permission: 'repo:read', access: READ },
  { method: 'GET', path: '/v2/{ns}/{repo}/tags/list', handler: 'v2-list-tags', permission: 'repo:read', access: READ },
];

/** Functions that are not behind the API: the stream consumer and the scheduled sweep. */
export const backgroundFunctions = {
  auditStream: { handler: 'audit-stream', access: { registry: 'read', audit: 'readwrite' } },
  expirySweep: { handler: 'expiry-sweep', access: { registry: 'readwrite' } },
} as const;

/** Distinct handler files behind the API (HEAD and GET of a manifest share one function). */
export function apiHandlers(): string[] {
  return [...new Set(routes.map((route) => route.handler))];
}
