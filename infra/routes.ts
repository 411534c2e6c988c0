/**
 * THE route table. The CDK stack makes one Lambda function per handler and one API Gateway route per
 * entry of `gatewayRoutes` (the routes plus their trailing-slash fallbacks); the local runtime serves
 * the same `gatewayRoutes` with the same matching rules. Adding an endpoint means adding a line here
 * and a file `functions/<handler>.ts` exporting `handler`.
 *
 * OpenAPI (docs/openapi.json, `npm run generate`): every route here is documented automatically:
 * summary from the handler's first doc-comment line, path parameters from `{name}`, the request body
 * from the handler's `jsonBody(request, '<Schema>')` (shared/http/schemas.ts), any 2XX, and errors in
 * the route's shape (OCI under /v2/, Quay's otherwise). To declare success statuses and response
 * bodies (and query parameters), add an entry keyed by route key (`GET /api/v1/.../tag`, no trailing
 * slash) to `routeDocs` in infra/openapi-routes.ts; e2e responses are checked against the result.
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
const orgPolicies = '/api/v1/organization/{org}/immutabilitypolicy';
const repoPolicies = `${repo}/immutabilitypolicy`;
const READ: TableAccess = { registry: 'read' };
const WRITE: TableAccess = { registry: 'readwrite' };
const LOGS: TableAccess = { registry: 'read', audit: 'read' };

export const routes: readonly RouteDefinition[] = [
  { method: 'GET', path: '/health/instance', handler: 'health', permission: 'anyone', access: {} },
  // Discovery: the OpenAPI document of this table (infra/openapi.ts, docs/openapi.json)
  { method: 'GET', path: '/api/v1/openapi.json', handler: 'openapi', permission: 'anyone', access: {} },

  // Quay tag API (shared/reference/quay-tag-api.md §1)
  { method: 'GET', path: `${repo}/tag/`, handler: 'list-tags', permission: 'repo:read', access: READ },
  { method: 'PUT', path: `${repo}/tag/{tag}`, handler: 'change-tag', permission: 'repo:write', access: WRITE },
  { method: 'DELETE', path: `${repo}/tag/{tag}`, handler: 'delete-tag', permission: 'repo:write', access: WRITE },
  { method: 'GET', path: `${repo}/tag/{tag}/images`, handler: 'tag-images', permission: 'repo:read', access: READ },
  { method: 'POST', path: `${repo}/tag/{tag}/restore`, handler: 'restore-tag', permission: 'repo:write', access: WRITE },

  // Safe automation: atomic multi-tag changes and the diff between two instants
  { method: 'POST', path: `${repo}/tag/`, handler: 'change-tags', permission: 'repo:write', access: WRITE },
  { method: 'GET', path: `${repo}/tagdiff`, handler: 'tag-diff', permission: 'repo:read', access: READ },
  // Tag protection: immutability policies (Quay, FEATURE_IMMUTABLE_TAGS) and the explain extension (DESIGN 5.6)
  { method: 'GET', path: `${repo}/tag/{tag}/protection`, handler: 'tag-protection', permission: 'repo:read', access: READ },
  { method: 'GET', path: `${orgPolicies}/`, handler: 'list-immutability-policies', permission: 'namespace:admin', access: READ },
  { method: 'POST', path: `${orgPolicies}/`, handler: 'create-immutability-policy', permission: 'namespace:admin', access: WRITE },
  { method: 'GET', path: `${orgPolicies}/{uuid}`, handler: 'get-immutability-policy', permission: 'namespace:admin', access: READ },
  { method: 'PUT', path: `${orgPolicies}/{uuid}`, handler: 'update-immutability-policy', permission: 'namespace:admin', access: WRITE },
  { method: 'DELETE', path: `${orgPolicies}/{uuid}`, handler: 'delete-immutability-policy', permission: 'namespace:admin', access: WRITE },
  { method: 'GET', path: `${repoPolicies}/`, handler: 'list-immutability-policies', permission: 'repo:admin', access: READ },
  { method: 'POST', path: `${repoPolicies}/`, handler: 'create-immutability-policy', permission: 'repo:admin', access: WRITE },
  { method: 'GET', path: `${repoPolicies}/{uuid}`, handler: 'get-immutability-policy', permission: 'repo:admin', access: READ },
  { method: 'PUT', path: `${repoPolicies}/{uuid}`, handler: 'update-immutability-policy', permission: 'repo:admin', access: WRITE },
  { method: 'DELETE', path: `${repoPolicies}/{uuid}`, handler: 'delete-immutability-policy', permission: 'repo:admin', access: WRITE },

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

  // Auto-prune policies (Quay's), preview, run log and undo (docs/api.md "Auto-prune")
  { method: 'GET', path: '/api/v1/organization/{org}/autoprunepolicy/', handler: 'autoprune-policies', permission: 'namespace:admin', access: WRITE },
  { method: 'POST', path: '/api/v1/organization/{org}/autoprunepolicy/', handler: 'autoprune-policies', permission: 'namespace:admin', access: WRITE },
  { method: 'GET', path: '/api/v1/organization/{org}/autoprunepolicy/{uuid}', handler: 'autoprune-policy', permission: 'namespace:admin', access: WRITE },
  { method: 'PUT', path: '/api/v1/organization/{org}/autoprunepolicy/{uuid}', handler: 'autoprune-policy', permission: 'namespace:admin', access: WRITE },
  { method: 'DELETE', path: '/api/v1/organization/{org}/autoprunepolicy/{uuid}', handler: 'autoprune-policy', permission: 'namespace:admin', access: WRITE },
  { method: 'GET', path: '/api/v1/user/autoprunepolicy/', handler: 'autoprune-policies', permission: 'user', access: WRITE },
  { method: 'POST', path: '/api/v1/user/autoprunepolicy/', handler: 'autoprune-policies', permission: 'user', access: WRITE },
  { method: 'GET', path: '/api/v1/user/autoprunepolicy/{uuid}', handler: 'autoprune-policy', permission: 'user', access: WRITE },
  { method: 'PUT', path: '/api/v1/user/autoprunepolicy/{uuid}', handler: 'autoprune-policy', permission: 'user', access: WRITE },
  { method: 'DELETE', path: '/api/v1/user/autoprunepolicy/{uuid}', handler: 'autoprune-policy', permission: 'user', access: WRITE },
  { method: 'GET', path: `${repo}/autoprunepolicy/`, handler: 'autoprune-policies', permission: 'repo:admin', access: WRITE },
  { method: 'POST', path: `${repo}/autoprunepolicy/`, handler: 'autoprune-policies', permission: 'repo:admin', access: WRITE },
  { method: 'GET', path: `${repo}/autoprunepolicy/{uuid}`, handler: 'autoprune-policy', permission: 'repo:admin', access: WRITE },
  { method: 'PUT', path: `${repo}/autoprunepolicy/{uuid}`, handler: 'autoprune-policy', permission: 'repo:admin', access: WRITE },
  { method: 'DELETE', path: `${repo}/autoprunepolicy/{uuid}`, handler: 'autoprune-policy', permission: 'repo:admin', access: WRITE },
  { method: 'POST', path: `${repo}/autoprune/preview`, handler: 'autoprune-preview', permission: 'repo:admin', access: READ },
  { method: 'GET', path: `${repo}/autoprune/runs`, handler: 'autoprune-runs', permission: 'repo:admin', access: READ },
  { method: 'POST', path: `${repo}/autoprune/runs/{operation_id}/undo`, handler: 'autoprune-undo', permission: 'repo:admin', access: WRITE },
  // Repository notifications (Quay's API, webhooks; docs/events.md)
  { method: 'POST', path: `${repo}/notification/`, handler: 'create-notification', permission: 'repo:admin', access: WRITE },
  { method: 'GET', path: `${repo}/notification/`, handler: 'list-notifications', permission: 'repo:admin', access: READ },
  { method: 'GET', path: `${repo}/notification/{uuid}`, handler: 'get-notification', permission: 'repo:admin', access: READ },
  { method: 'DELETE', path: `${repo}/notification/{uuid}`, handler: 'delete-notification', permission: 'repo:admin', access: WRITE },
  { method: 'POST', path: `${repo}/notification/{uuid}`, handler: 'reset-notification', permission: 'repo:admin', access: WRITE },
  { method: 'POST', path: `${repo}/notification/{uuid}/test`, handler: 'test-notification', permission: 'repo:admin', access: READ },
  { method: 'GET', path: `${repo}/notification/{uuid}/deliveries`, handler: 'list-notification-deliveries', permission: 'repo:admin', access: READ },

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
  // Tag events and repository notifications (docs/events.md).
  eventPublisher: { handler: 'event-publisher', access: {} },
  webhookDelivery: { handler: 'webhook-delivery', access: { registry: 'readwrite' } },
} as const;

/** A route as API Gateway holds it: a method (or ANY), a route-key path, and the function behind it. */
export interface GatewayRoute {
  method: HttpMethod | 'ANY';
  /** API Gateway path syntax, never ending in `/`; `{name+}` (last) matches the rest of the path. */
  path: string;
  handler: string;
  access: TableAccess;
}

/** The path of a route as API Gateway accepts it: without a trailing slash (except "/"). */
export function routeKeyPath(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

/** The API Gateway route key of a route, e.g. `GET /api/v1/repository/{ns}/{repo}/tag`. */
export function routeKeyOf(route: { method: string; path: string }): string {
  return `${route.method} ${routeKeyPath(route.path)}`;
}

/**
 * Route keys cannot end in `/`, yet clients call `.../tag/`, `/v2/`, `/api/v1/organization/`,
 * `/api/v1/user/` and `.../permissions/user/`. Whether API Gateway hands such a path to the key
 * without the slash or to a greedy `{proxy+}` with an empty remainder, one of these routes catches
 * it: each slash route gets `<path>{proxy+}`, served by `<handler>-slash`, which runs the route's
 * handler for the empty remainder and answers 404 (Quay's body) for anything else. Under `/v2/`
 * one `ANY` fallback also gives unimplemented OCI paths (blobs, uploads, ...) an OCI error body.
 */
export const fallbackRoutes: readonly GatewayRoute[] = [
  ...routes
    .filter((route) => route.path.endsWith('/') && route.path !== '/v2/')
    .map((route) => ({ method: route.method, path: `${route.path}{proxy+}`, handler: `${route.handler}-slash`, access: route.access })),
  { method: 'ANY', path: '/v2/{proxy+}', handler: 'v2-fallback', access: {} },
];

/** Every route API Gateway (and the local gateway) holds. */
export const gatewayRoutes: readonly GatewayRoute[] = [
  ...routes.map((route) => ({ method: route.method, path: routeKeyPath(route.path), handler: route.handler, access: route.access })),
  ...fallbackRoutes,
];

/** Distinct handler files behind the API (HEAD and GET of a manifest share one function). */
export function apiHandlers(): string[] {
  return [...new Set(gatewayRoutes.map((route) => route.handler))];
}
