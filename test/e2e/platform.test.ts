/**
 * The platform flows end to end (issue: skeleton, admin and manifest ingest): organizations,
 * repositories and grants through the admin API; manifests pushed by tag and by digest over /v2,
 * fetched back byte for byte, listed; bad input answered with a clear 4xx and nothing written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepository, push } from '../support/fixtures.js';
import { startTestServer } from '../support/local-server.js';
import type { TestServer } from '../support/local-server.js';
import { DOCKER_LIST, imageManifest, manifestList } from '../support/manifests.js';

let server: TestServer;
let alice: string;
let bob: string;

beforeAll(async () => {
  server = await startTestServer({ streamPolling: false });
  alice = await server.tokenFor('alice');
  bob = await server.tokenFor('bob');
});

afterAll(async () => {
  await server?.stop();
});

describe('health and /v2 base', () => {
  it('answers health and the /v2 probe', async () => {
    expect((await server.api('GET', '/health/instance')).status).toBe(200);
    const base = await server.api('GET', '/v2/');
    expect(base.status).toBe(200);
    expect(base.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
    // The probe tells anonymous clients how to authenticate; authenticated ones need no challenge.
    expect(base.headers.get('www-authenticate')).toMatch(/^Bearer realm="http:\/\/127\.0\.0\.1:\d+\/v2\/auth"/);
    expect((await server.api('GET', '/v2/', { token: alice })).headers.get('www-authenticate')).toBeNull();
    // Credentials that do not verify are refused (docker login can tell).
    expect((await server.api('GET', '/v2/', { token: 'not-a-token' })).status).toBe(401);
  });

  it('hands a verified token back from the token endpoint, and an anonymous one without credentials', async () => {
    const anonymous = await server.api('GET', '/v2/auth?service=x&scope=repository:acme/web:pull');
    expect(anonymous.status).toBe(200);
    expect(anonymous.body.token).toBe('anonymous');
    const basic = `Basic ${Buffer.from(`alice:${alice}`).toString('base64')}`;
    expect((await server.api('GET', '/v2/auth', { headers: { authorization: basic } })).body.token).toBe(alice);
    const wrong = `Basic ${Buffer.from('alice:wrong').toString('base64')}`;
    expect((await server.api('GET', '/v2/auth', { headers: { authorization: wrong } })).status).toBe(401);
    // The probe takes what the token endpoint hands out: the anonymous token, or Basic with a token.
    expect((await server.api('GET', '/v2/', { token: 'anonymous' })).status).toBe(200);
    expect((await server.api('GET', '/v2/', { headers: { authorization: basic } })).status).toBe(200);
    expect((await server.api('GET', '/v2/', { headers: { authorization: wrong } })).status).toBe(401);
    expect((await server.api('GET', '/v2/auth', { token: 'anonymous' })).body.token).toBe('anonymous');
  });
});

describe('organizations and repositories', () => {
  it('creates an organization whose creator administers it', async () => {
    const created = await server.api('POST', '/api/v1/organization/', { token: alice, body: { name: 'acme', email: 'a@acme.test' } });
    expect(created.status).toBe(201);
    expect((await server.api('POST', '/api/v1/organization/', { token: bob, body: { name: 'acme' } })).status).toBe(400);
    expect((await server.api('POST', '/api/v1/organization/', { token: alice, body: { name: 'Bad Name' } })).status).toBe(400);
    expect((await server.api('POST', '/api/v1/organization/', { body: { name: 'anonorg' } })).status).toBe(401);
    const updated = await server.api('PUT', '/api/v1/organization/acme', { token: alice, body: { tag_expiration_s: 604800 } });
    expect(updated.status).toBe(200);
    expect(updated.body.tag_expiration_s).toBe(604800);
    expect((await server.api('PUT', '/api/v1/organization/acme', { token: bob, body: { tag_expiration_s: 0 } })).status).toBe(403);
  });

  it('creates repositories where the caller may, with Quay bodies', async () => {
    const created = await server.api('POST', '/api/v1/repository', {
      token: alice,
      body: { namespace: 'acme', repository: 'web', visibility: 'private', description: 'the site' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ namespace: 'acme', name: 'web', kind: 'image' });
    const again = await server.api('POST', '/api/v1/repository', { token: alice, body: { namespace: 'acme', repository: 'web', visibility: 'private' } });
    expect(again.status).toBe(400);
    expect(again.body.detail).toBe('Repository already exists');
    expect((await server.api('POST', '/api/v1/repository', { token: bob, body: { namespace: 'acme', repository: 'x', visibility: 'private' } })).status).toBe(403);
    expect((await server.api('POST', '/api/v1/repository', { token: alice, body: { namespace: 'acme', repository: 'UPPER', visibility: 'private' } })).status).toBe(400);
    expect((await server.api('POST', '/api/v1/repository', { token: alice, body: { namespace: 'acme', repository: 'x', visibility: 'secret' } })).status).toBe(400);
    const scoped = await server.tokenFor('alice', 'repo:read');
    expect((await server.api('POST', '/api/v1/repository', { token: scoped, body: { namespace: 'alice', repository: 'x', visibility: 'private' } })).status).toBe(403);
    await createRepository(server, alice, 'alice', 'personal');

    const fetched = await server.api('GET', '/api/v1/repository/acme/web', { token: alice });
    expect(fetched.body).toMatchObject({ namespace: 'acme', name: 'web', is_public: false, can_admin: true, is_organization: true, tag_expiration_s: 604800 });
    expect((await server.api('GET', '/api/v1/repository/acme/web', { token: bob })).status).toBe(403);
  });

  it('grants, lists and revokes user permissions; visibility changes', async () => {
    const path = '/api/v1/repository/acme/web';
    expect((await server.api('PUT', `${path}/permissions/user/bob`, { token: alice, body: { role: 'write' } })).body).toEqual({ role: 'write', name: 'bob', is_robot: false });
    expect((await server.api('PUT', `${path}/permissions/user/acme+ci`, { token: alice, body: { role: 'read' } })).status).toBe(200);
    expect((await server.api('PUT', `${path}/permissions/user/bob`, { token: alice, body: { role: 'owner' } })).status).toBe(400);
    expect((await server.api('GET', `${path}/permissions/user/`, { token: bob })).status).toBe(403);
    const listed = await server.api('GET', `${path}/permissions/user/`, { token: alice });
    expect(listed.body.permissions).toEqual({
      bob: { role: 'write', name: 'bob', is_robot: false },
      'acme+ci': { role: 'read', name: 'acme+ci', is_robot: true },
    });
    expect((await server.api('GET', path, { token: bob })).body.can_write).toBe(true);
    const robot = await server.tokenFor('acme+ci');
    expect((await server.api('GET', `${path}/tag/`, { token: robot })).status).toBe(200);
    expect((await server.api('DELETE', `${path}/permissions/user/acme+ci`, { token: alice })).status).toBe(204);
    expect((await server.api('DELETE', `${path}/permissions/user/acme+ci`, { token: alice })).status).toBe(400);
    expect((await server.api('GET', `${path}/tag/`, { token: robot })).status).toBe(403);

    expect((await server.api('GET', `${path}/tag/`)).status).toBe(401);
    expect((await server.api('POST', `${path}/changevisibility`, { token: bob, body: { visibility: 'public' } })).status).toBe(403);
    expect((await server.api('POST', `${path}/changevisibility`, { token: alice, body: { visibility: 'public' } })).status).toBe(200);
    expect((await server.api('GET', `${path}/tag/`)).status).toBe(200);
    expect((await server.api('POST', `${path}/changevisibility`, { token: alice, body: { visibility: 'private' } })).status).toBe(200);
  });
});

describe('manifest ingest over /v2', () => {
  it('pushes by tag, fetches the exact bytes by tag and digest, and lists tags', async () => {
    const manifest = imageManifest({ docker: true });
    const response = await server.api('PUT', '/v2/acme/web/manifests/v1', {
      token: bob,
      body: manifest.body,
      headers: { 'content-type': manifest.mediaType },
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('docker-content-digest')).toBe(manifest.digest);
    expect(response.headers.get('location')).toBe(`/v2/acme/web/manifests/${manifest.digest}`);

    for (const reference of ['v1', manifest.digest]) {
      const fetched = await server.api('GET', `/v2/acme/web/manifests/${reference}`, { token: bob });
      expect(fetched.status).toBe(200);
      expect(fetched.text).toBe(manifest.body);
      expect(fetched.headers.get('content-type')).toBe(manifest.mediaType);
      expect(fetched.headers.get('docker-content-digest')).toBe(manifest.digest);
    }
    const head = await server.api('HEAD', '/v2/acme/web/manifests/v1', { token: bob });
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    expect(head.headers.get('docker-content-digest')).toBe(manifest.digest);

    const tags = await server.api('GET', '/api/v1/repository/acme/web/tag/', { token: bob });
    expect(tags.body.tags.map((tag: { name: string }) => tag.name)).toEqual(['v1']);
  });

  it('pushes by digest without a tag, and a list with its children', async () => {
    const child = imageManifest();
    await push(server, alice, 'acme/web', child.digest, child);
    const list = manifestList([child, imageManifest()], { docker: true });
    expect(list.mediaType).toBe(DOCKER_LIST);
    await push(server, alice, 'acme/web', 'multi', list);
    const fetched = await server.api('GET', `/v2/acme/web/manifests/${child.digest}`, { token: alice });
    expect(fetched.text).toBe(child.body);
    const names = (await server.api('GET', '/v2/acme/web/tags/list', { token: alice })).body;
    expect(names).toEqual({ name: 'acme/web', tags: ['multi', 'v1'] });
  });

  it('pages /v2 tag lists with n, last and a Link header', async () => {
    const manifest = imageManifest();
    for (const tag of ['a', 'b', 'c', 'd']) await push(server, alice, 'alice/personal', tag, manifest);
    const first = await server.api('GET', '/v2/alice/personal/tags/list?n=3', { token: alice });
    expect(first.body.tags).toEqual(['a', 'b', 'c']);
    expect(first.headers.get('link')).toBe('</v2/alice/personal/tags/list?n=3&last=c>; rel="next"');
    const second = await server.api('GET', '/v2/alice/personal/tags/list?n=3&last=c', { token: alice });
    expect(second.body.tags).toEqual(['d']);
    expect(second.headers.get('link')).toBeNull();
    expect((await server.api('GET', '/v2/alice/personal/tags/list?n=x', { token: alice })).status).toBe(400);
  });

  it('answers anonymous pulls of private repositories with a Bearer challenge, and reads public ones', async () => {
    const denied = await server.api('GET', '/v2/acme/web/manifests/v1');
    expect(denied.status).toBe(401);
    expect(denied.headers.get('www-authenticate')).toMatch(/^Bearer realm="http:\/\/127\.0\.0\.1:\d+\/v2\/auth",service="[^"]+",scope="repository:acme\/web:pull"$/);
    expect(denied.body.errors[0].code).toBe('UNAUTHORIZED');
    const stranger = await server.tokenFor('stranger');
    expect((await server.api('GET', '/v2/acme/web/manifests/v1', { token: stranger })).body.errors[0].code).toBe('DENIED');
    await server.api('POST', '/api/v1/repository/acme/web/changevisibility', { token: alice, body: { visibility: 'public' } });
    expect((await server.api('GET', '/v2/acme/web/manifests/v1')).status).toBe(200);
    expect((await server.api('PUT', '/v2/acme/web/manifests/v2', { body: '{}', headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' } })).status).toBe(401);
  });

  it('rejects bad input with OCI errors and writes nothing', async () => {
    const put = (reference: string, body: string, contentType: string, token = alice, path = 'acme/web') =>
      server.api('PUT', `/v2/${path}/manifests/${reference}`, { token, body, headers: { 'content-type': contentType } });
    const good = imageManifest();
    const cases: [string, Awaited<ReturnType<typeof put>>, number, string][] = [
      ['malformed JSON', await put('bad1', '{"schemaVersion": 2,', good.mediaType), 400, 'MANIFEST_INVALID'],
      ['unknown media type', await put('bad2', good.body, 'application/vnd.example+json'), 415, 'UNSUPPORTED'],
      ['missing config', await put('bad3', JSON.stringify({ schemaVersion: 2, layers: [] }), good.mediaType), 400, 'MANIFEST_INVALID'],
      ['too large', await put('bad4', ' '.repeat(256 * 1024 + 1), good.mediaType), 413, 'SIZE_INVALID'],
      ['bad tag', await put('-bad', good.body, good.mediaType), 400, 'TAG_INVALID'],
      ['digest mismatch', await put(imageManifest().digest, good.body, good.mediaType), 400, 'DIGEST_INVALID'],
      ['bad digest', await put('sha256:xyz', good.body, good.mediaType), 400, 'DIGEST_INVALID'],
      ['unknown repository', await put('v1', good.body, good.mediaType, alice, 'acme/nope'), 404, 'NAME_UNKNOWN'],
      ['unknown namespace', await put('v1', good.body, good.mediaType, alice, 'nobody/nope'), 403, 'DENIED'],
    ];
    for (const [name, response, status, code] of cases) {
      expect(response.status, name).toBe(status);
      expect(response.body.errors[0].code, name).toBe(code);
      expect(typeof response.body.errors[0].message, name).toBe('string');
    }
    expect((await server.api('GET', `/v2/acme/web/manifests/${good.digest}`, { token: alice })).status).toBe(404);
    const names = (await server.api('GET', '/v2/acme/web/tags/list', { token: alice })).body.tags;
    expect(names.filter((name: string) => name.startsWith('bad'))).toEqual([]);
  });
});
