/**
 * Immutability policies as current Quay, over HTTP: organization and repository routes, bodies,
 * validation order and messages, duplicates, status codes, audit kinds; retroactive application
 * (clearing expirations) and evaluation at every create or move; the permission matrix.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepository, grant, listTags, push } from '../support/fixtures.js';
import { startTestServer } from '../support/local-server.js';
import type { TestServer } from '../support/local-server.js';
import { imageManifest } from '../support/manifests.js';

let server: TestServer;
let admin: string;
const ORG = 'acme';
const REPO_PATH = `${ORG}/app`;
const orgPolicies = `/api/v1/organization/${ORG}/immutabilitypolicy/`;
const repoPolicies = `/api/v1/repository/${REPO_PATH}/immutabilitypolicy/`;

beforeAll(async () => {
  server = await startTestServer();
  admin = await server.tokenFor('boss');
  expect((await server.api('POST', '/api/v1/organization/', { token: admin, body: { name: ORG } })).status).toBe(201);
  await createRepository(server, admin, ORG, 'app');
  await createRepository(server, admin, ORG, 'other');
});

afterAll(async () => {
  await server?.stop();
});

const aliveRow = async (path: string, tag: string) => (await listTags(server, admin, path, `specificTag=${tag}&onlyActiveTags=true`)).body.tags[0];
async function logs(path: string, kind: string) {
  expect((await server.api('POST', '/_local/audit/flush')).status).toBe(200);
  const response = await server.api('GET', path, { token: admin });
  return (response.body.logs as { kind: string; metadata: Record<string, unknown> }[]).filter((entry) => entry.kind === kind);
}

describe('repository policies', () => {
  it('create (201 {uuid}), list, get, update (204, empty), delete (200 {uuid}), with Quay views and audit kinds', async () => {
    const created = await server.api('POST', repoPolicies, { token: admin, body: { tagPattern: '  release-.*  ', ignored: 1 } });
    expect(created.status).toBe(201);
    const uuid = created.body.uuid as string;
    expect(uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect((await server.api('GET', repoPolicies, { token: admin })).body).toEqual({ policies: [{ uuid, tagPattern: 'release-.*', tagPatternMatches: true }] });
    expect((await server.api('GET', `${repoPolicies}${uuid}`, { token: admin })).body).toEqual({ uuid, tagPattern: 'release-.*', tagPatternMatches: true });
    const updated = await server.api('PUT', `${repoPolicies}${uuid}`, { token: admin, body: { tagPattern: 'rel-.*', tagPatternMatches: false } });
    expect(updated.status).toBe(204);
    expect(updated.text).toBe('');
    expect((await server.api('GET', `${repoPolicies}${uuid}`, { token: admin })).body).toEqual({ uuid, tagPattern: 'rel-.*', tagPatternMatches: false });
    const deleted = await server.api('DELETE', `${repoPolicies}${uuid}`, { token: admin });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ uuid });
    expect((await server.api('GET', `${repoPolicies}${uuid}`, { token: admin })).status).toBe(404);
    expect((await server.api('DELETE', `${repoPolicies}${uuid}`, { token: admin })).status).toBe(404);
    const logPath = `/api/v1/repository/${REPO_PATH}/logs`;
    expect((await logs(logPath, 'create_immutability_policy'))[0]?.metadata).toMatchObject({
      namespace: ORG, repo: 'app', tag_pattern: 'release-.*', tag_pattern_matches: true,
    });
    expect((await logs(logPath, 'update_immutability_policy'))[0]?.metadata).toMatchObject({ tag_pattern: 'rel-.*', tag_pattern_matches: false });
    expect((await logs(logPath, 'delete_immutability_policy'))[0]?.metadata).toMatchObject({ namespace: ORG, repo: 'app', policy_uuid: uuid });
  });

  it('validates in Quay order with its messages; RE2 refuses what it cannot run', async () => {
    const post = (body: unknown) => server.api('POST', repoPolicies, { token: admin, body });
    const detail = async (body: unknown) => {
      const response = await post(body);
      expect(response.status).toBe(400);
      return response.body.detail as string;
    };
    expect(await detail({})).toContain('tagPattern');
    expect(await detail({ tagPattern: '   ' })).toBe('tag_pattern is required and must be a non-empty string');
    expect(await detail({ tagPattern: 'a'.repeat(257) })).toBe('tag_pattern must be 256 characters or less');
    expect(await detail({ tagPattern: '(a' })).toMatch(/^Invalid regex pattern: .*missing closing \)/);
    expect(await detail({ tagPattern: '(?<=a)b' })).toMatch(/^Invalid regex pattern: /);
    expect(await detail({ tagPattern: 'v1', tagPatternMatches: 'yes' })).toContain('tagPatternMatches');
    expect((await post({ tagPattern: 'dup' })).status).toBe(201);
    expect(await detail({ tagPattern: 'dup', tagPatternMatches: false })).toBe('A policy with the same tag_pattern already exists');
    const list = (await server.api('GET', repoPolicies, { token: admin })).body.policies;
    expect(list.map((policy: { tagPattern: string }) => policy.tagPattern)).toEqual(['dup']);
    await server.api('DELETE', `${repoPolicies}${list[0].uuid}`, { token: admin });
  });

  it('applies to existing alive tags (clearing expirations, one audit entry) and to every later create or move', async () => {
    const manifest = await push(server, admin, REPO_PATH, 'v1.0.0', imageManifest());
    await push(server, admin, REPO_PATH, 'latest', manifest);
    const put = (tag: string, body: unknown) => server.api('PUT', `/api/v1/repository/${REPO_PATH}/tag/${tag}`, { token: admin, body });
    expect((await put('v1.0.0', { expiration: Math.floor(Date.now() / 1000) + 86_400 })).status).toBe(201);
    const created = await server.api('POST', repoPolicies, { token: admin, body: { tagPattern: 'v[0-9.]+' } });
    expect(created.status).toBe(201);
    const uuid = created.body.uuid;
    const v1 = await aliveRow(REPO_PATH, 'v1.0.0');
    expect(v1.immutable).toBe(true);
    expect(v1.end_ts).toBeUndefined();
    expect((await aliveRow(REPO_PATH, 'latest')).immutable).toBe(false);
    const protection = await server.api('GET', `/api/v1/repository/${REPO_PATH}/tag/v1.0.0/protection`, { token: admin });
    expect(protection.body).toEqual({ tag: 'v1.0.0', immutable: true, immutable_by: { kind: 'policy', policy_uuid: uuid }, expiration_ts: null, prune: null });
    const logPath = `/api/v1/repository/${REPO_PATH}/logs`;
    expect((await logs(logPath, 'tags_made_immutable_by_policy'))[0]?.metadata).toEqual({
      namespace: ORG, repo: 'app', tag_pattern: 'v[0-9.]+', tag_pattern_matches: true, count: 1,
    });

    // Full match: "v2-beta" is not covered; a create of v2.0 is, by push and by PUT, and an expiration is dropped.
    await push(server, admin, REPO_PATH, 'v2-beta', manifest);
    expect((await aliveRow(REPO_PATH, 'v2-beta')).immutable).toBe(false);
    await push(server, admin, REPO_PATH, 'v2.0', manifest);
    expect((await aliveRow(REPO_PATH, 'v2.0')).immutable).toBe(true);
    expect((await put('v3.0', { manifest_digest: manifest.digest, expiration: Math.floor(Date.now() / 1000) + 86_400 })).status).toBe(201);
    const v3 = await aliveRow(REPO_PATH, 'v3.0');
    expect(v3.immutable).toBe(true);
    expect(v3.end_ts).toBeUndefined();
    expect((await logs(logPath, 'tag_made_immutable_by_policy')).map((entry) => entry.metadata)).toContainEqual({
      tag: 'v2.0', repo: 'app', namespace: ORG, immutable: true,
    });
    // Deleting the policy unmarks nothing.
    expect((await server.api('DELETE', `${repoPolicies}${uuid}`, { token: admin })).status).toBe(200);
    expect((await aliveRow(REPO_PATH, 'v2.0')).immutable).toBe(true);
  });
});

describe('organization policies', () => {
  it('cover every repository of the organization; repository policies are checked first', async () => {
    const manifest = await push(server, admin, `${ORG}/other`, 'stable', imageManifest());
    const created = await server.api('POST', orgPolicies, { token: admin, body: { tagPattern: 'stable|prod', tagPatternMatches: true } });
    expect(created.status).toBe(201);
    expect((await aliveRow(`${ORG}/other`, 'stable')).immutable).toBe(true);
    await push(server, admin, REPO_PATH, 'prod', manifest);
    const protection = await server.api('GET', `/api/v1/repository/${REPO_PATH}/tag/prod/protection`, { token: admin });
    expect(protection.body.immutable_by).toEqual({ kind: 'policy', policy_uuid: created.body.uuid });
    expect((await server.api('GET', orgPolicies, { token: admin })).body.policies).toEqual([
      { uuid: created.body.uuid, tagPattern: 'stable|prod', tagPatternMatches: true },
    ]);
    const logsOfOrg = await logs(`/api/v1/organization/${ORG}/logs`, 'create_immutability_policy');
    expect(logsOfOrg.map((entry) => entry.metadata)).toContainEqual({ namespace: ORG, tag_pattern: 'stable|prod', tag_pattern_matches: true });
    expect((await server.api('DELETE', `${orgPolicies}${created.body.uuid}`, { token: admin })).status).toBe(200);
  });

  it('an inverted policy protects every tag that does not match', async () => {
    await createRepository(server, admin, ORG, 'inverted');
    const manifest = await push(server, admin, `${ORG}/inverted`, 'dev-1', imageManifest());
    const created = await server.api('POST', `/api/v1/repository/${ORG}/inverted/immutabilitypolicy/`, {
      token: admin,
      body: { tagPattern: 'dev-.*', tagPatternMatches: false },
    });
    expect(created.status).toBe(201);
    await push(server, admin, `${ORG}/inverted`, 'release', manifest);
    expect((await aliveRow(`${ORG}/inverted`, 'release')).immutable).toBe(true);
    expect((await aliveRow(`${ORG}/inverted`, 'dev-1')).immutable).toBe(false);
  });
});

describe('permission matrix of the policy routes', () => {
  it('anonymous 401, outsider/reader/writer 403, scoped token without admin 403, admin 2xx', async () => {
    await grant(server, admin, REPO_PATH, 'reader', 'read');
    await grant(server, admin, REPO_PATH, 'writer', 'write');
    const tokens = {
      anonymous: undefined,
      outsider: await server.tokenFor('outsider'),
      reader: await server.tokenFor('reader'),
      writer: await server.tokenFor('writer'),
      scoped: await server.tokenFor('boss', 'repo:write'),
    };
    const calls: [string, string, unknown][] = [
      ['GET', repoPolicies, undefined],
      ['POST', repoPolicies, { tagPattern: 'x' }],
      ['GET', `${repoPolicies}00000000-0000-0000-0000-000000000000`, undefined],
      ['PUT', `${repoPolicies}00000000-0000-0000-0000-000000000000`, { tagPattern: 'x' }],
      ['DELETE', `${repoPolicies}00000000-0000-0000-0000-000000000000`, undefined],
      ['GET', orgPolicies, undefined],
      ['POST', orgPolicies, { tagPattern: 'x' }],
      ['DELETE', `${orgPolicies}00000000-0000-0000-0000-000000000000`, undefined],
    ];
    for (const [method, path, body] of calls) {
      for (const [who, token] of Object.entries(tokens)) {
        const response = await server.api(method, path, { token, body });
        expect(response.status, `${who} ${method} ${path}`).toBe(who === 'anonymous' ? 401 : 403);
      }
      const allowed = await server.api(method, path, { token: admin, body });
      expect([200, 201, 404], `admin ${method} ${path}`).toContain(allowed.status);
      if (allowed.status === 201) await server.api('DELETE', `${path}${allowed.body.uuid}`, { token: admin });
    }
    // Nothing was written by the refused calls.
    expect((await server.api('GET', repoPolicies, { token: admin })).body.policies).toEqual([]);
  });
});
