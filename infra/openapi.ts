/**
 * The OpenAPI 3.1 document of the API, generated from the route table (infra/routes.ts), the body
 * schemas (shared/http/schemas.ts), the handlers' doc comments and the optional route docs
 * (infra/openapi-routes.ts). `npm run generate` writes it to docs/openapi.json, which
 * functions/openapi.ts serves; test/unit/openapi.test.ts fails when the committed file is stale.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bodySchemas } from '../shared/http/schemas.js';
import type { BodySchemaName } from '../shared/http/schemas.js';
import { routeDocs } from './openapi-routes.js';
import type { JsonSchema, ResponseDoc, RouteDoc } from './openapi-routes.js';
import { routeKeyOf, routes } from './routes.js';
import type { RouteDefinition } from './routes.js';

export const OPENAPI_FILE = fileURLToPath(new URL('../docs/openapi.json', import.meta.url));
const FUNCTIONS_DIR = new URL('../functions/', import.meta.url);

/** The error bodies: Quay's three shapes (ApiException, abort's message, util.http.abort's error) and OCI's. */
const errorSchemas: Record<string, JsonSchema> = {
  QuayError: {
    description: "Quay's error bodies: the ApiException problem body, `{\"message\": ...}` or `{\"error\": ...}`.",
    anyOf: [
      {
        type: 'object',
        required: ['detail', 'error_message', 'error_type', 'title', 'type', 'status'],
        properties: {
          detail: { type: 'string' },
          error_message: { type: 'string' },
          error_type: { type: 'string' },
          title: { type: 'string' },
          type: { type: 'string' },
          status: { type: 'integer' },
        },
      },
      { type: 'object', required: ['message'], properties: { message: { type: ['string', 'object'] } } },
      { type: 'object', required: ['error'], properties: { error: { type: 'string' } } },
    ],
  },
  OciError: {
    description: 'The OCI distribution error body.',
    type: 'object',
    required: ['errors'],
    properties: {
      errors: {
        type: 'array',
        items: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' }, detail: {} } },
      },
    },
  },
};

export function errorStyleOf(path: string): 'quay' | 'oci' {
  return path.startsWith('/v2/') ? 'oci' : 'quay';
}

/** The first sentence of the handler file's leading doc comment, without the route prefix. */
function handlerSummary(handler: string): string {
  let source = '';
  try {
    source = readFileSync(new URL(`${handler}.ts`, FUNCTIONS_DIR), 'utf8');
  } catch {
    return handler;
  }
  const comment = /^\/\*\*([\s\S]*?)\*\//.exec(source.trimStart())?.[1] ?? '';
  const text = comment.replace(/^\s*\*\s?/gm, ' ').replace(/\s+/g, ' ').trim();
  const method = '(GET|PUT|POST|DELETE|HEAD)';
  const summary = text.replace(new RegExp(`^${method}((,| and) ${method})* \\S+ [—-] `), '').split(/(?<=[.:;])\s/)[0] ?? '';
  const trimmed = summary.replace(/[.:;]$/, '');
  return trimmed ? trimmed[0].toUpperCase() + trimmed.slice(1) : handler;
}

/** The schema a handler reads with `jsonBody(request, 'Name')`, if any. */
function handlerBodySchema(handler: string): BodySchemaName | null {
  try {
    const source = readFileSync(new URL(`${handler}.ts`, FUNCTIONS_DIR), 'utf8');
    const name = /jsonBody\(request, '(\w+)'\)/.exec(source)?.[1];
    return name && name in bodySchemas ? (name as BodySchemaName) : null;
  } catch {
    return null;
  }
}

function requestBody(route: RouteDefinition, doc: RouteDoc) {
  const body = doc.body ?? handlerBodySchema(route.handler);
  if (body === null || body === undefined) return undefined;
  if (typeof body === 'string') {
    return { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${body}` } } } };
  }
  return { required: true, description: body.description, content: Object.fromEntries(body.contentType.map((type) => [type, { schema: body.schema }])) };
}

function responses(route: RouteDefinition, doc: RouteDoc) {
  const errorRef = { $ref: `#/components/schemas/${errorStyleOf(route.path) === 'oci' ? 'OciError' : 'QuayError'}` };
  const result: Record<string, unknown> = {};
  const success: Record<string, ResponseDoc> = doc.responses ?? { '2XX': { description: 'Success (body not described).' } };
  for (const [status, response] of Object.entries(success)) {
    const content = response.schema && route.method !== 'HEAD' ? { [response.contentType ?? 'application/json']: { schema: response.schema } } : undefined;
    result[status] = { description: response.description, ...(content ? { content } : {}) };
  }
  result.default = { description: 'An error, in the route\'s error shape.', content: { 'application/json': { schema: errorRef } } };
  return result;
}

function operation(route: RouteDefinition) {
  const doc = routeDocs[routeKeyOf(route)] ?? {};
  const pathParameters = [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
  const queryParameters = Object.entries(doc.query ?? {}).map(([name, query]) => ({
    name,
    in: 'query',
    required: false,
    description: query.description,
    schema: query.schema ?? { type: 'string' },
  }));
  const body = requestBody(route, doc);
  const anonymous = route.permission === 'anyone';
  return {
    operationId: `${route.method.toLowerCase()}-${route.handler}`,
    summary: doc.summary ?? handlerSummary(route.handler),
    ...(doc.description ? { description: doc.description } : {}),
    'x-permission': route.permission,
    ...(anonymous ? { security: [] } : { security: [{ bearer: [] }, {}] }),
    ...(pathParameters.length + queryParameters.length > 0 ? { parameters: [...pathParameters, ...queryParameters] } : {}),
    ...(body ? { requestBody: body } : {}),
    responses: responses(route, doc),
  };
}

export function generateOpenApi() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const item = (paths[route.path] ??= {});
    item[route.method.toLowerCase()] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Quay-compatible tag service',
      version: '0.1.0',
      description: "Quay's tag API, administration and audit logs, and the manifest part of the OCI distribution API.",
    },
    paths,
    components: {
      schemas: { ...bodySchemas, ...errorSchemas },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
  };
}

/** The document as committed: two-space JSON with a final newline. */
export function renderOpenApi(): string {
  return `${JSON.stringify(generateOpenApi(), null, 2)}\n`;
}
