/**
 * The route keys as the local server serves them (infra/routes.ts gatewayRoutes): both spellings of
 * every trailing-slash route reach the route's handler, a fallback answers 404 in the route's own
 * error shape for any other remainder, and unimplemented /v2 paths get OCI error bodies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/local-server.js';

let server: TestServer;
let alice: string;
const repo = '/api/v1/repository/alice/app';

beforeAll(async () => {
  server = await startTestServer({ streamPolling: false });
  alice = await server.tokenFor('alice');
  const created = await server.api('POST', '/api/v1/repository', {
    token: alice,
    body: { namespace: 'alice', repository: 'app', visibility: 'private' },
  });
  expect(created.status).toBe(201);
});
afterAll(async () => {
  await server?.stop();
});

describe('trailing-slash routes', () => {
  it('serve GET /v2 and GET /v2/ from the version probe', async () => {
    for (const path of ['/v2', '/v2/']) {
      const response = await server.api('GET', path, { token: alice });
      expect(response.status, path).toBe(200);
      expect(response.headers.get('docker-distribution-api-version'), path).toBe('registry/2.0');
    }
  });

  it('serve both spellings of the tag list and the user permissions list', async () => {
    for (const path of [`${repo}/tag`, `${repo}/tag/`]) {
      const response = await server.api('GET', path, { token: alice });
      expect(response.status, path).toBe(200);
      expect(response.body, path).toMatchObject({ tags: [], page: 1, has_additional: false });
    }
    for (const path of [`${repo}/permissions/user`, `${repo}/permissions/user/`]) {
      const response = await server.api('GET', path, { token: alice });
      expect(response.status, path).toBe(200);
      expect(response.body, path).toHaveProperty('permissions');
    }
  });

  it('serve both spellings of POST /api/v1/organization/ and PUT /api/v1/user/', async () => {
    for (const [path, name] of [['/api/v1/organization', 'slashless'], ['/api/v1/organization/', 'slashed']]) {
      const response = await server.api('POST', path, { token: alice, body: { name } });
      expect(response.status, path).toBe(201);
    }
    for (const path of ['/api/v1/user', '/api/v1/user/']) {
      const response = await server.api('PUT', path, { token: alice, body: { tag_expiration_s: 86400 } });
      expect(response.status, path).toBe(200);
    }
  });

  it('answer 404 in Quay\'s shape for any other remainder under a Quay fallback', async () => {
    for (const [method, path] of [
      ['GET', `${repo}/tag/latest`],
      ['GET', `${repo}/tag/a/b`],
      ['POST', '/api/v1/organization/acme/extra'],
      ['PUT', '/api/v1/user/logs'],
      ['GET', `${repo}/permissions/user/alice`],
    ] as const) {
      const response = await server.api(method, path, { token: alice });
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(response.body, `${method} ${path}`).toMatchObject({ error_type: 'not_found', status: 404 });
    }
  });

  it('leave other methods and paths to the gateway\'s 404', async () => {
    for (const [method, path] of [
      ['DELETE', '/api/v1/user/'],
      ['GET', `${repo}/`],
      ['POST', '/health/instance'],
    ] as const) {
      const response = await server.api(method, path, { token: alice });
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(response.body, `${method} ${path}`).toEqual({ message: 'Not Found' });
    }
  });
});

describe('unimplemented /v2 paths', () => {
  const digest = `sha256:${'a'.repeat(64)}`;

  it('answer 404 BLOB_UNKNOWN for a blob and 404 UNSUPPORTED for anything else, in the OCI error shape', async () => {
    const blob = await server.api('GET', `/v2/alice/app/blobs/${digest}`, { token: alice });
    expect(blob.status).toBe(404);
    expect(blob.body).toEqual({ errors: [{ code: 'BLOB_UNKNOWN', message: 'blob unknown to registry', detail: null }] });
    const head = await server.api('HEAD', `/v2/alice/app/blobs/${digest}`, { token: alice });
    expect(head.status).toBe(404);
    expect(head.text).toBe('');
    for (const [method, path] of [
      ['POST', '/v2/alice/app/blobs/uploads/'],
      ['PATCH', '/v2/alice/app/blobs/uploads/1234'],
      ['DELETE', '/v2/alice/app/manifests/latest'],
      ['GET', '/v2/_catalog'],
      ['GET', '/v2/alice/app/tags/list/'],
      ['POST', '/v2/'],
    ] as const) {
      const response = await server.api(method, path, { token: alice });
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(response.body.errors?.[0]?.code, `${method} ${path}`).toBe('UNSUPPORTED');
    }
  });
});
