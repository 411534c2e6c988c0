/**
 * What the suite knows about each route, derived from THE route table (infra/routes.ts) so a new
 * route is fuzzed without touching the suite: its path parameters, the body schema its handler
 * validates (found in functions/<handler>.ts, `jsonBody(request, '<Schema>')`), the error shape it
 * documents, and whether it mutates.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { routeKeyPath, routes, type RouteDefinition } from '../../infra/routes.js';
import { bodySchemas, type BodySchemaName } from '../../shared/http/schemas.js';

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

export type ErrorStyle = 'quay' | 'oci';

export interface FuzzRoute {
  route: RouteDefinition;
  /** e.g. `PUT /api/v1/repository/{ns}/{repo}/tag/{tag}` */
  key: string;
  segments: string[];
  params: string[];
  schema?: BodySchemaName;
  /** The handler reads the raw body as a manifest (the /v2 push). */
  manifestBody: boolean;
  errors: ErrorStyle;
  mutates: boolean;
}

function schemaOf(handler: string): BodySchemaName | undefined {
  let source: string;
  try {
    source = readFileSync(join(ROOT, 'functions', `${handler}.ts`), 'utf8');
  } catch {
    return undefined;
  }
  const name = /jsonBody\(\s*\w+\s*,\s*'(\w+)'/.exec(source)?.[1];
  return name && name in bodySchemas ? (name as BodySchemaName) : undefined;
}

export const fuzzRoutes: FuzzRoute[] = routes.map((route) => {
  const segments = route.path.split('/').slice(1);
  return {
    route,
    key: `${route.method} ${route.path}`,
    segments,
    params: segments.filter((segment) => /^\{\w+\}$/.test(segment)).map((segment) => segment.slice(1, -1)),
    schema: schemaOf(route.handler),
    manifestBody: route.method === 'PUT' && route.path.includes('/manifests/'),
    errors: route.path.startsWith('/v2') ? 'oci' : 'quay',
    mutates: !['GET', 'HEAD'].includes(route.method),
  };
});

/** What the gateway does with a request: which function answers it, if any. */
export type Destination =
  /** One of the routes of the table (either spelling of a trailing-slash route). */
  | { kind: 'route'; route: FuzzRoute }
  /** A trailing-slash fallback with a remainder no route serves: 404 in the route's error shape. */
  | { kind: 'fallback'; handler: string; errors: ErrorStyle }
  /** No route key matches, a known path under another method included: 404 {"message":"Not Found"}. */
  | { kind: 'gateway' };

const isParam = (segment: string) => /^\{\w+\}$/.test(segment);

/** Literal segments before variables, left to right (API Gateway's "most specific" rule). */
function bySpecificity(a: string[], b: string[]): number {
  for (let index = 0; index < Math.min(a.length, b.length); index++) {
    if (isParam(a[index]) !== isParam(b[index])) return isParam(a[index]) ? 1 : -1;
  }
  return b.length - a.length;
}

/** Whether `got` starts with the template's segments: literals exactly, `{name}` non-empty. */
function prefixMatches(want: string[], got: string[]): boolean {
  return want.every((segment, index) => got[index] !== undefined && (isParam(segment) ? got[index] !== '' : segment === got[index]));
}

/**
 * Where a method and raw path go, modelled on the design (docs/deploy.md, "Trailing slashes" and
 * "Limits") independently of the gateway's own matcher (infra/local/route-matching.ts):
 * - a route matches its path without the trailing slash, segment by segment as received (no
 *   folding), `{name}` taking one non-empty segment, under its own method only (HEAD is not GET);
 * - a route whose path ends in `/` has a fallback `<path>{proxy+}` under its method (`ANY` for
 *   `/v2/`): an empty remainder is the route itself (for `/v2/`, under GET only), anything else is
 *   the fallback's 404;
 * - everything else is the gateway's 404.
 */
export function destinationOf(method: string, rawPath: string): Destination {
  const upper = method.toUpperCase();
  const got = rawPath.split('/');
  const byMethod = fuzzRoutes.filter((candidate) => candidate.route.method === upper);
  const exact = byMethod
    .map((candidate) => ({ candidate, want: routeKeyPath(candidate.route.path).split('/') }))
    .filter(({ want }) => want.length === got.length && prefixMatches(want, got))
    .sort((a, b) => bySpecificity(a.want, b.want))[0];
  if (exact) return { kind: 'route', route: exact.candidate };

  const fallback = fuzzRoutes
    .filter((candidate) => candidate.route.path.endsWith('/') && (candidate.route.method === upper || candidate.route.path === '/v2/'))
    .map((candidate) => ({ candidate, want: candidate.route.path.split('/').slice(0, -1) }))
    .filter(({ want }) => got.length > want.length && prefixMatches(want, got))
    .sort((a, b) => bySpecificity(a.want, b.want))[0];
  if (!fallback) return { kind: 'gateway' };
  const { candidate, want } = fallback;
  const remainder = got.slice(want.length).join('/');
  if (remainder === '' && candidate.route.method === upper) return { kind: 'route', route: candidate };
  const v2 = candidate.route.path === '/v2/';
  return { kind: 'fallback', handler: v2 ? 'v2-fallback' : `${candidate.route.handler}-slash`, errors: v2 ? 'oci' : 'quay' };
}

/** The route a request reaches, if it reaches one of the table's routes. */
export function routeOf(method: string, rawPath: string): FuzzRoute | undefined {
  const destination = destinationOf(method, rawPath);
  return destination.kind === 'route' ? destination.route : undefined;
}

/** The function a request reaches (`unmatched` when the gateway answers it itself). */
export function handlerOf(method: string, rawPath: string): string {
  const destination = destinationOf(method, rawPath);
  return destination.kind === 'route' ? destination.route.route.handler : destination.kind === 'fallback' ? destination.handler : 'unmatched';
}
