/**
 * What the suite knows about each route, derived from THE route table (infra/routes.ts) so a new
 * route is fuzzed without touching the suite: its path parameters, the body schema its handler
 * validates (found in functions/<handler>.ts, `jsonBody(request, '<Schema>')`), the error shape it
 * documents, and whether it mutates.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { routes, type RouteDefinition } from '../../infra/routes.js';
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

/**
 * The route a raw path reaches, matched independently of the gateway's own matcher: literal
 * segments compare exactly, `{name}` takes one non-empty segment, and a path differing only by a
 * trailing slash matches too (the local gateway's documented rule).
 */
export function routeForPath(rawPath: string): { byMethod: Map<string, FuzzRoute> } | undefined {
  const byMethod = new Map<string, FuzzRoute>();
  for (const exact of [true, false]) {
    for (const candidate of fuzzRoutes) {
      const template = candidate.route.path;
      const alternate = template.endsWith('/') ? template.slice(0, -1) : `${template}/`;
      if (segmentsMatch(exact ? template : alternate, rawPath) && !byMethod.has(candidate.route.method)) {
        byMethod.set(candidate.route.method, candidate);
      }
    }
    if (byMethod.size > 0) return { byMethod };
  }
  return undefined;
}

function segmentsMatch(template: string, rawPath: string): boolean {
  const want = template.split('/');
  const got = rawPath.split('/');
  if (want.length !== got.length) return false;
  return want.every((segment, index) => (/^\{\w+\}$/.test(segment) ? got[index] !== '' : segment === got[index]));
}
