/**
 * What the OpenAPI generator (infra/openapi.ts) needs beyond infra/routes.ts, keyed by route key
 * (`routeKeyOf(route)`, e.g. `GET /api/v1/repository/{ns}/{repo}/tag`). Everything here is optional:
 * a route without an entry is still documented, from the table and its handler:
 * - summary: the first line of the handler file's doc comment;
 * - path parameters: from the `{name}` segments of the path;
 * - request body: the schema the handler reads with `jsonBody(request, '<Schema>')` (schemas.ts);
 * - responses: any 2XX (body not described), and every other status in the route's error shape
 *   (OCI bodies under /v2/, Quay's otherwise).
 * The e2e response checker (test/support/openapi-checker.ts) then accepts any 2xx with any body for
 * it, and any error status whose body has the error shape. Declare `responses` to pin the success
 * statuses and their bodies.
 */
import type { BodySchemaName } from '../shared/http/schemas.js';

export type JsonSchema = Record<string, unknown>;

export interface ResponseDoc {
  description: string;
  /** JSON body schema; omit for responses without a (described) body. */
  schema?: JsonSchema;
  /** Media type of the body (default application/json). */
  contentType?: string;
}

export interface QueryParameterDoc {
  description: string;
  schema?: JsonSchema;
}

export interface RouteDoc {
  summary?: string;
  description?: string;
  /** Success responses by status; default: any 2XX. */
  responses?: Record<number, ResponseDoc>;
  query?: Record<string, QueryParameterDoc>;
  /** Request body when it is not JSON read by jsonBody (e.g. a manifest). */
  body?: { contentType: string[]; schema: JsonSchema; description: string } | BodySchemaName;
}

const tagListEntry: JsonSchema = {
  type: 'object',
  required: ['name', 'manifest_digest', 'is_manifest_list', 'start_ts'],
  properties: {
    name: { type: 'string' },
    reversion: { type: 'boolean' },
    start_ts: { type: 'integer' },
    end_ts: { type: 'integer' },
    manifest_digest: { type: 'string' },
    is_manifest_list: { type: 'boolean' },
    size: { type: ['integer', 'null'] },
    last_modified: { type: 'string' },
    expiration: { type: 'string' },
  },
};

const logsPage: JsonSchema = {
  type: 'object',
  required: ['logs'],
  properties: {
    start_time: { type: 'string' },
    end_time: { type: 'string' },
    logs: { type: 'array', items: { type: 'object', required: ['kind', 'datetime'], properties: { kind: { type: 'string' }, datetime: { type: 'string' } } } },
    next_page: { type: 'string' },
  },
};

const logsQuery: Record<string, QueryParameterDoc> = {
  starttime: { description: 'Start of the window, MM/DD/YYYY (UTC); default a month before endtime.' },
  endtime: { description: 'End of the window, MM/DD/YYYY (UTC, inclusive day); default today.' },
  next_page: { description: 'Opaque cursor from the previous page.' },
};

const manifestTypes = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
];

const repo = '/api/v1/repository/{ns}/{repo}';

export const routeDocs: Record<string, RouteDoc> = {
  'GET /health/instance': {
    responses: { 200: { description: 'The instance serves requests.', schema: { type: 'object', required: ['status'], properties: { status: { const: 'ok' } } } } },
  },
  [`GET ${repo}/tag`]: {
    query: {
      limit: { description: 'Results per page, 1 to 100 (default 50).' },
      page: { description: 'Page index, from 1.' },
      specificTag: { description: 'Only the history of this tag.' },
      filter_tag_name: { description: '`eq:<name>` or `like:<substring>`.' },
      onlyActiveTags: { description: 'true: only alive tags.' },
      next_page: { description: 'Opaque cursor from the previous page (extension).' },
      at: { description: 'Tags alive at this instant: epoch seconds or ISO-8601 (extension).' },
    },
    responses: {
      200: {
        description: 'A page of tag history.',
        schema: {
          type: 'object',
          required: ['tags', 'page', 'has_additional'],
          properties: { tags: { type: 'array', items: tagListEntry }, page: { type: 'integer' }, has_additional: { type: 'boolean' }, next_page: { type: 'string' } },
        },
      },
    },
  },
  [`PUT ${repo}/tag/{tag}`]: { responses: { 201: { description: 'Tag created, moved or its expiration changed.', schema: { const: 'Updated' } } } },
  [`DELETE ${repo}/tag/{tag}`]: { responses: { 204: { description: 'Tag deleted.' } } },
  [`POST ${repo}/tag/{tag}/restore`]: { responses: { 200: { description: 'Tag restored.', schema: { type: 'object' } } } },
  [`GET ${repo}/logs`]: { query: logsQuery, responses: { 200: { description: 'A page of audit logs.', schema: logsPage } } },
  'GET /api/v1/organization/{org}/logs': { query: logsQuery, responses: { 200: { description: 'A page of audit logs.', schema: logsPage } } },
  'GET /api/v1/user/logs': { query: logsQuery, responses: { 200: { description: 'A page of audit logs.', schema: logsPage } } },
  'POST /api/v1/organization': { responses: { 201: { description: 'Organization created.', schema: { const: 'Created' } } } },
  'POST /api/v1/repository': {
    responses: {
      201: {
        description: 'Repository created.',
        schema: { type: 'object', required: ['namespace', 'name', 'kind'], properties: { namespace: { type: 'string' }, name: { type: 'string' }, kind: { type: 'string' } } },
      },
    },
  },
  'GET /v2': { responses: { 200: { description: 'The registry API is served here.', schema: { type: 'object' } } } },
  'PUT /v2/{ns}/{repo}/manifests/{reference}': {
    body: { contentType: manifestTypes, schema: { type: 'object' }, description: 'The manifest, byte for byte (at most 4 MiB).' },
    responses: { 201: { description: 'Manifest stored; Location and Docker-Content-Digest headers name it.' } },
  },
  'GET /v2/{ns}/{repo}/manifests/{reference}': {
    responses: { 200: { description: 'The manifest bytes as pushed.', contentType: manifestTypes.join(', '), schema: { type: 'object' } } },
  },
  'HEAD /v2/{ns}/{repo}/manifests/{reference}': { responses: { 200: { description: 'The manifest exists (headers only).' } } },
  'GET /v2/{ns}/{repo}/tags/list': {
    query: { n: { description: 'Page size (at most 1000).' }, last: { description: 'Last tag of the previous page.' } },
    responses: {
      200: {
        description: 'Alive tag names in lexical order; a Link header points at the next page.',
        schema: { type: 'object', required: ['name', 'tags'], properties: { name: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } } } },
      },
    },
  },
  'GET /api/v1/openapi.json': { responses: { 200: { description: 'This document.', schema: { type: 'object', required: ['openapi', 'paths'] } } } },
};
