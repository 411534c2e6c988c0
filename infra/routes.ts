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

export interface RouteDefinition {
  method: HttpMethod;
  /** API Gateway path syntax: `{name}` matches one path segment. */
  path: string;
  /** Base name of the handler file in functions/. */
  handler: string;
  access: TableAccess;
}

const repo = '/api/v1/repository/{ns}/{repo}';
const READ: TableAccess = { registry: 'read' };
const WRITE: TableAccess = { registry: 'readwrite' };
const LOGS: TableAccess = { registry: 'read', audit: 'read' };

export const routes: readonly RouteDefinition[] = [
  { method: 'GET', path: '/health/instance', handler: 'health', access: {} },

  // Quay tag API (shared/reference/quay-tag-api.md §1)
  { method: 'GET', path: `${repo}/tag/`, handler: 'list-tags', access: READ },
  { method: 'PUT', path: `${repo}/tag/{tag}`, handler: 'change-tag', access: WRITE },
  { method: 'DELETE', path: `${repo}/tag/{tag}`, handler: 'delete-tag', access: WRITE },
  { method: 'GET', path: `${repo}/tag/{tag}/images`, handler: 'tag-images', access: READ },
  { method: 'POST', path: `${repo}/tag/{tag}/restore`, handler: 'restore-tag', access: WRITE },

  // Administration (DESIGN 5.3)
  { method: 'POST', path: '/api/v1/organization/', handler: 'create-organization', access: WRITE },
  { method: 'PUT', path: '/api/v1/organization/{org}', handler: 'update-organization', access: WRITE },
  { method: 'PUT', path: '/api/v1/user/', handler: 'update-user', access: WRITE },
  { method: 'POST', path: '/api/v1/repository', handler: 'create-repository', access: WRITE },
  { method: 'GET', path: repo, handler: 'get-repository', access: READ },
  { method: 'POST', path: `${repo}/changevisibility`, handler: 'change-visibility', access: WRITE },
  { method: 'GET', path: `${repo}/permissions/user/`, handler: 'list-user-permissions', access: READ },
  { method: 'PUT', path: `${repo}/permissions/user/{username}`, handler: 'put-user-permission', access: WRITE },
  { method: 'DELETE', path: `${repo}/permissions/user/{username}`, handler: 'delete-user-permission', access: WRITE },

  // Audit logs (Quay's logs API)
  { method: 'GET', path: `${repo}/logs`, handler: 'repository-logs', access: LOGS },
  { method: 'GET', path: '/api/v1/organization/{org}/logs', handler: 'organization-logs', access: LOGS },
  { method: 'GET', path: '/api/v1/user/logs', handler: 'user-logs', access: LOGS },

  // OCI distribution, manifests only (DESIGN 5.4)
  { method: 'GET', path: '/v2/', handler: 'v2-base', access: {} },
  { method: 'GET', path: '/v2/auth', handler: 'v2-auth', access: {} },
  { method: 'PUT', path: '/v2/{ns}/{repo}/manifests/{reference}', handler: 'v2-put-manifest', access: WRITE },
  { method: 'GET', path: '/v2/{ns}/{repo}/manifests/{reference}', handler: 'v2-get-manifest', access: READ },
  { method: 'HEAD', path: '/v2/{ns}/{repo}/manifests/{reference}', handler: 'v2-get-manifest', access: READ },
  { method: 'GET', path: '/v2/{ns}/{repo}/tags/list', handler: 'v2-list-tags', access: READ },
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
