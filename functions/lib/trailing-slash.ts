/**
 * The function behind a trailing-slash fallback route `<path>/{proxy+}` (infra/routes.ts): an empty
 * remainder is the route itself spelled with its slash, so the route's own handler answers; any
 * other remainder is a path no route serves.
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

export function trailingSlashRoute(route: Handler, unknownPath: Handler): Handler {
  return async function trailingSlash(event, context) {
    const { proxy, ...pathParameters } = event.pathParameters ?? {};
    if (proxy) return unknownPath(event, context);
    // The route's handler sees the parameters of its own route key, as API Gateway would send them.
    const own = Object.keys(pathParameters).length > 0 ? pathParameters : undefined;
    return route({ ...event, pathParameters: own }, context);
  };
}
