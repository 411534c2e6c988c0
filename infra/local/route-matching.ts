/**
 * Route selection as API Gateway HTTP APIs do it, over route keys (infra/routes.ts gatewayRoutes):
 * - a path is compared segment by segment, as received: no trailing-slash folding (`/v2/` is not
 *   `/v2`), `{name}` takes exactly one non-empty segment, `{name+}` (last) takes the rest of the
 *   path after its `/`, here also an empty rest, so `/v2/` reaches `/v2/{proxy+}`;
 * - the most specific match wins: a route without a greedy variable before one with it, a literal
 *   segment before a variable (left to right), a longer greedy prefix first, the exact method
 *   before ANY;
 * - anything else, a known path under another method included, is not found (404, no 405).
 * Path parameters are percent-decoded once, after splitting, so `%2F` stays inside its segment.
 */

export interface MatchableRoute {
  method: string;
  path: string;
  handler: string;
}

type Segment = { literal: string } | { param: string };

export interface CompiledRoute<R extends MatchableRoute = MatchableRoute> {
  route: R;
  segments: Segment[];
  /** Name of the trailing greedy variable, if any. */
  greedy: string | undefined;
}

export type RouteMatch<R extends MatchableRoute = MatchableRoute> =
  | { kind: 'matched'; route: R; pathParameters: Record<string, string> }
  | { kind: 'not-found' };

function routeKeyPath(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

/** Precompiles a route table; paths are taken as route keys (a trailing slash is dropped, as the stack does). */
export function compileRoutes<R extends MatchableRoute>(routes: readonly R[]): CompiledRoute<R>[] {
  return routes.map((route) => {
    const parts = routeKeyPath(route.path).split('/');
    const last = /^\{([A-Za-z0-9_]+)\+\}$/.exec(parts.at(-1) ?? '');
    if (last) parts.pop();
    const segments = parts.map((part): Segment => {
      const param = /^\{([A-Za-z0-9_]+)\}$/.exec(part);
      return param ? { param: param[1]! } : { literal: part };
    });
    return { route, segments, greedy: last?.[1] };
  });
}

function decodeSegment(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function matchPath(entry: CompiledRoute, parts: string[]): Record<string, string> | undefined {
  const { segments, greedy } = entry;
  if (greedy ? parts.length <= segments.length : parts.length !== segments.length) return undefined;
  const parameters: Record<string, string> = {};
  for (let index = 0; index < segments.length; index += 1) {
    const segment = segments[index]!;
    const part = parts[index]!;
    if ('literal' in segment) {
      if (segment.literal !== part) return undefined;
    } else {
      if (part === '') return undefined;
      parameters[segment.param] = decodeSegment(part);
    }
  }
  if (greedy) parameters[greedy] = decodeSegment(parts.slice(segments.length).join('/'));
  return parameters;
}

/** Negative when `a` is more specific than `b`. */
function bySpecificity(a: CompiledRoute, b: CompiledRoute): number {
  if (Boolean(a.greedy) !== Boolean(b.greedy)) return a.greedy ? 1 : -1;
  for (let index = 0; index < Math.min(a.segments.length, b.segments.length); index += 1) {
    const aLiteral = 'literal' in a.segments[index]!;
    if (aLiteral !== 'literal' in b.segments[index]!) return aLiteral ? -1 : 1;
  }
  if (a.segments.length !== b.segments.length) return b.segments.length - a.segments.length;
  return (a.route.method === 'ANY' ? 1 : 0) - (b.route.method === 'ANY' ? 1 : 0);
}

/** Finds the route API Gateway would pick for a method and raw path (without the query). */
export function matchRoute<R extends MatchableRoute>(
  routes: readonly CompiledRoute<R>[] | readonly R[],
  method: string,
  rawPath: string,
): RouteMatch<R> {
  const compiled = (routes.length > 0 && 'segments' in routes[0]! ? routes : compileRoutes(routes as readonly R[])) as CompiledRoute<R>[];
  const upper = method.toUpperCase();
  const parts = rawPath.split('/');
  let best: { entry: CompiledRoute<R>; pathParameters: Record<string, string> } | undefined;
  for (const entry of compiled) {
    if (entry.route.method !== upper && entry.route.method !== 'ANY') continue;
    const pathParameters = matchPath(entry, parts);
    if (pathParameters && (!best || bySpecificity(entry, best.entry) < 0)) best = { entry, pathParameters };
  }
  return best ? { kind: 'matched', route: best.entry.route, pathParameters: best.pathParameters } : { kind: 'not-found' };
}
