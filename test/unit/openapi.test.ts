import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { OPENAPI_FILE, generateOpenApi, renderOpenApi } from '../../infra/openapi.js';
import { routeKeyOf, routes } from '../../infra/routes.js';
import { openApiMismatch } from '../support/openapi-checker.js';

describe('OpenAPI document', () => {
  it('docs/openapi.json is what `npm run generate` writes (regenerate it when this fails)', () => {
    expect(readFileSync(OPENAPI_FILE, 'utf8')).toBe(renderOpenApi());
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(generateOpenApi());
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('describes every route of the table with its path parameters and error shape', () => {
    const document = generateOpenApi() as { paths: Record<string, Record<string, any>> };
    for (const route of routes) {
      const operation = document.paths[route.path]?.[route.method.toLowerCase()];
      expect(operation, routeKeyOf(route)).toBeDefined();
      const names = [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => name);
      expect((operation.parameters ?? []).filter((p: any) => p.in === 'path').map((p: any) => p.name)).toEqual(names);
      const error = route.path.startsWith('/v2/') ? 'OciError' : 'QuayError';
      expect(operation.responses.default.content['application/json'].schema.$ref).toBe(`#/components/schemas/${error}`);
    }
  });

  it('documents the request body a handler reads', () => {
    const document = generateOpenApi() as { paths: Record<string, Record<string, any>> };
    const put = document.paths['/api/v1/repository/{ns}/{repo}/tag/{tag}'].put;
    expect(put.requestBody.content['application/json'].schema.$ref).toBe('#/components/schemas/ChangeTag');
  });

  it('the response checker refuses undeclared statuses and bodies off the schema', () => {
    const tags = '/api/v1/repository/a/b/tag/';
    expect(openApiMismatch('GET', tags, 200, 'application/json', { tags: [], page: 1, has_additional: false })).toBeNull();
    expect(openApiMismatch('GET', tags, 200, 'application/json', { tags: 'x' })).toMatch(/does not match/);
    expect(openApiMismatch('GET', tags, 201, 'application/json', {})).toMatch(/does not declare/);
    expect(openApiMismatch('GET', tags, 404, 'application/json', { errors: [] })).toMatch(/does not match/);
    expect(openApiMismatch('GET', '/v2/a/b/tags/list', 404, 'application/json', { errors: [{ code: 'NAME_UNKNOWN', message: 'x' }] })).toBeNull();
    // A route without declared responses: any 2xx, errors in its shape.
    expect(openApiMismatch('GET', '/api/v1/repository/a/b', 200, 'application/json', { anything: true })).toBeNull();
    expect(openApiMismatch('GET', '/not/described', 599, 'text/plain', '')).toBeNull();
  });
});
