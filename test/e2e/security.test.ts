/**
 * Quay's security matrix (quay-tag-api.md §8.4) over HTTP: anonymous / devtable / freshuser / reader
 * against a public repository, a user repository and an organization repository, for every tag
 * endpoint. Tag names TN96/HP8R and the image WXNG do not exist, as in Quay's test. devtable is not
 * a superuser here, so [L]'s answers apply.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedQuayFixtures } from '../support/fixtures.js';
import type { QuayFixtures } from '../support/fixtures.js';
import { startTestServer } from '../support/local-server.js';
import type { TestServer } from '../support/local-server.js';

let server: TestServer;
let fixtures: QuayFixtures;

beforeAll(async () => {
  server = await startTestServer({ streamPolling: false });
  fixtures = await seedQuayFixtures(server);
});

afterAll(async () => {
  await server?.stop();
});

type Caller = 'anon' | 'devtable' | 'freshuser' | 'reader';
const callers: Caller[] = ['anon', 'devtable', 'freshuser', 'reader'];

/** [method, path suffix under the repository, body], expected per repository: anon/devtable/freshuser/reader. */
const matrix: [string, string, unknown, Record<string, number[]>][] = [
  ['GET', '/tag/', undefined, { 'public/publicrepo': [200, 200, 200, 200], 'devtable/shared': [401, 200, 403, 200], 'buynlarge/orgrepo': [401, 200, 403, 200] }],
  ['GET', '/tag/TN96/images', undefined, { 'public/publicrepo': [404, 404, 404, 404], 'devtable/shared': [401, 404, 403, 404], 'buynlarge/orgrepo': [401, 404, 403, 404] }],
  ['POST', '/tag/HP8R/restore', { image: 'WXNG' }, { 'public/publicrepo': [401, 403, 403, 403], 'devtable/shared': [401, 404, 403, 403], 'buynlarge/orgrepo': [401, 404, 403, 403] }],
  // DELETE of a missing tag: [H]'s 404 (Quay [L] answered 400).
  ['DELETE', '/tag/TN96', undefined, { 'public/publicrepo': [401, 403, 403, 403], 'devtable/shared': [401, 404, 403, 403], 'buynlarge/orgrepo': [401, 404, 403, 403] }],
  ['PUT', '/tag/TN96', { image: 'WXNG' }, { 'public/publicrepo': [401, 403, 403, 403], 'devtable/shared': [401, 404, 403, 403], 'buynlarge/orgrepo': [401, 404, 403, 403] }],
];

describe('test_security matrix', () => {
  for (const [method, suffix, body, byRepository] of matrix) {
    for (const [repository, expected] of Object.entries(byRepository)) {
      it(`${method} ${repository}${suffix}`, async () => {
        const statuses: number[] = [];
        for (const caller of callers) {
          const token = caller === 'anon' ? undefined : fixtures.tokens[caller];
          statuses.push((await server.api(method, `/api/v1/repository/${repository}${suffix}`, { token, body })).status);
        }
        expect(statuses).toEqual(expected);
      });
    }
  }
});

describe('error bodies', () => {
  it('401 and 403 are ApiException bodies with no WWW-Authenticate header', async () => {
    const anonymous = await server.api('GET', '/api/v1/repository/devtable/shared/tag/');
    expect(anonymous.headers.get('www-authenticate')).toBeNull();
    expect(anonymous.body).toMatchObject({ status: 401, error_type: 'invalid_token', detail: 'Requires authentication' });
    const fresh = await server.api('GET', '/api/v1/repository/devtable/shared/tag/', { token: fixtures.tokens.freshuser });
    expect(fresh.body).toMatchObject({ status: 403, error_type: 'insufficient_scope', detail: 'Unauthorized', title: 'insufficient_scope' });
  });

  it('outsiders cannot tell a missing repository from a private one; its owner gets 404', async () => {
    const path = '/api/v1/repository/devtable/doesnotexist/tag/';
    expect((await server.api('GET', path)).status).toBe(401);
    expect((await server.api('GET', path, { token: fixtures.tokens.freshuser })).status).toBe(403);
    const owner = await server.api('GET', path, { token: fixtures.tokens.devtable });
    expect(owner.status).toBe(404);
    expect(owner.body).toMatchObject({ error_type: 'not_found', detail: 'Not Found' });
  });

  it('a namespace admin gets request validation before the 404 of a missing repository', async () => {
    const token = fixtures.tokens.devtable;
    const badName = await server.api('PUT', '/api/v1/repository/devtable/nope/tag/.bad', { token, body: {} });
    expect(badName.status).toBe(400);
    expect((await server.api('GET', '/api/v1/repository/devtable/nope/tag/?limit=abc', { token })).status).toBe(400);
    // The filter syntax is Quay's data layer: after the repository lookup.
    expect((await server.api('GET', '/api/v1/repository/devtable/nope/tag/?filter_tag_name=bad', { token })).status).toBe(404);
    expect((await server.api('PUT', '/api/v1/repository/devtable/nope/tag/good', { token, body: {} })).status).toBe(404);
  });

  it('an invalid token is anonymous; a token narrowed to repo:read cannot write', async () => {
    expect((await server.api('GET', '/api/v1/repository/public/publicrepo/tag/', { token: 'not-a-jwt' })).status).toBe(200);
    expect((await server.api('GET', '/api/v1/repository/devtable/shared/tag/', { token: 'not-a-jwt' })).status).toBe(401);
    const readOnly = await server.tokenFor('devtable', 'repo:read');
    expect((await server.api('GET', '/api/v1/repository/devtable/shared/tag/', { token: readOnly })).status).toBe(200);
    const write = await server.api('PUT', '/api/v1/repository/devtable/shared/tag/latest', {
      token: readOnly,
      body: { manifest_digest: fixtures.manifests.sharedLatest.digest },
    });
    expect(write.status).toBe(403);
  });

  it('a writer (public on devtable/shared) can move tags; a reader cannot', async () => {
    const body = { manifest_digest: fixtures.manifests.sharedLatest.digest };
    expect((await server.api('PUT', '/api/v1/repository/devtable/shared/tag/fromwriter', { token: fixtures.tokens.public, body })).status).toBe(201);
    expect((await server.api('PUT', '/api/v1/repository/devtable/shared/tag/fromreader', { token: fixtures.tokens.reader, body })).status).toBe(403);
  });

  it('account routes need a full or repo:admin token; robots get grants only in their namespace', async () => {
    const readOnly = await server.tokenFor('devtable', 'repo:read');
    expect((await server.api('PUT', '/api/v1/user/', { token: readOnly, body: { tag_expiration_s: 0 } })).status).toBe(403);
    expect((await server.api('GET', '/api/v1/user/logs', { token: readOnly })).status).toBe(403);
    expect((await server.api('POST', '/api/v1/organization/', { token: readOnly, body: { name: 'sneaky' } })).status).toBe(403);
    const admin = await server.tokenFor('devtable', 'repo:admin');
    expect((await server.api('PUT', '/api/v1/user/', { token: admin, body: { tag_expiration_s: 1209600 } })).status).toBe(200);
    const foreign = await server.api('PUT', '/api/v1/repository/devtable/shared/permissions/user/evil+bot', {
      token: fixtures.tokens.devtable,
      body: { role: 'read' },
    });
    expect(foreign.status).toBe(400);
    expect((await server.api('PUT', '/api/v1/repository/devtable/shared/permissions/user/devtable+ci', {
      token: fixtures.tokens.devtable,
      body: { role: 'read' },
    })).status).toBe(200);
  });

  it('superusers may write anywhere', async () => {
    // The handlers run with the server's dependencies: give them a configuration naming a superuser.
    const { provideDeps } = await import('../../shared/http/runtime.js');
    const { createAuthenticator } = await import('../../shared/http/auth.js');
    const config = { ...server.deps.config, superusers: new Set(['root']) };
    provideDeps({ ...server.deps, config, authenticate: createAuthenticator(config) });
    try {
      const root = await server.tokenFor('root');
      const response = await server.api('PUT', '/api/v1/repository/public/publicrepo/tag/rooted', {
        token: root,
        body: { manifest_digest: fixtures.manifests.publicLatest.digest },
      });
      expect(response.status).toBe(201);
      expect((await server.api('DELETE', '/api/v1/repository/public/publicrepo/tag/TN96', { token: root })).status).toBe(404);
    } finally {
      provideDeps(server.deps);
    }
  });
});
