/**
 * The hostile-input classes found by probing the service as an attacker would: each request that
 * used to answer 5xx, break a listing for everyone, outgrow a Lambda response or reach another
 * user's repository now gets a documented 4xx (or a bounded answer), and a refused request writes
 * nothing.
 */
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, MAX_LAYERS, RESPONSE_BUDGET_BYTES } from '../../shared/domain/limits.js';
import { DEFAULT_LOCAL_SECRET } from '../../infra/local/token.js';
import { createRepository, listTags, push } from '../support/fixtures.js';
import { startTestServer } from '../support/local-server.js';
import type { TestServer } from '../support/local-server.js';
import { OCI_INDEX, OCI_MANIFEST, imageManifest, manifestList, randomDigest, sha256 } from '../support/manifests.js';

let server: TestServer;
let alice: string;
const repo = '/api/v1/repository/alice/app';

beforeAll(async () => {
  server = await startTestServer({ streamPolling: false });
  alice = await server.tokenFor('alice');
  await createRepository(server, alice, 'alice', 'app', { visibility: 'public' });
  await push(server, alice, 'alice/app', 'latest', imageManifest());
});

afterAll(async () => {
  await server?.stop();
});

/** A token signed with the local secret, with exactly these claims. */
async function rawToken(claims: Record<string, unknown>): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(process.env.AUTH_JWT_SECRET ?? DEFAULT_LOCAL_SECRET));
}

const nowS = () => Math.floor(Date.now() / 1000);

function pushRaw(path: string, reference: string, body: string, mediaType = OCI_MANIFEST) {
  return server.api('PUT', `/v2/${path}/manifests/${reference}`, { token: alice, body, headers: { 'content-type': mediaType } });
}

function manifestWith(extra: Record<string, unknown>, layers = [{ mediaType: 'l', digest: randomDigest(), size: 1 }]) {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: randomDigest(), size: 10 },
    layers,
    ...extra,
  });
}

const deep = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('deeply nested manifests', () => {
  it('refuses a 90,000-deep manifest with MANIFEST_INVALID, and the tag list keeps answering', async () => {
    const body = manifestWith({}).replace(/}$/, `,"x":${deep(90_000)}}`);
    const response = await pushRaw('alice/app', 'deep', body);
    expect(response.status).toBe(400);
    expect(response.body.errors[0].code).toBe('MANIFEST_INVALID');
    expect((await listTags(server, undefined, 'alice/app')).status).toBe(200);
    expect((await listTags(server, undefined, 'alice/app', 'specificTag=deep')).body.tags).toEqual([]);
  });

  it(`accepts nesting up to ${MAX_JSON_DEPTH} levels`, async () => {
    const body = manifestWith({ annotations: { a: 'b' }, x: JSON.parse(deep(MAX_JSON_DEPTH - 1)) });
    expect((await pushRaw('alice/app', 'nested', body)).status).toBe(201);
    expect((await listTags(server, undefined, 'alice/app', 'specificTag=nested')).body.tags[0].manifest.x).toBeDefined();
  });
});

describe('manifests too large for the responses that show them', () => {
  it(`refuses more than ${MAX_LAYERS} layers at push, so /images stays within a Lambda response`, async () => {
    const layers = Array.from({ length: 1500 }, (_, index) => ({ mediaType: 'l', digest: sha256(`l${index}`), size: 1 }));
    const response = await pushRaw('alice/app', 'layers', manifestWith({}, layers));
    expect(response.status).toBe(400);
    expect(response.body.errors[0].code).toBe('MANIFEST_INVALID');
    expect((await server.api('GET', `${repo}/tag/layers/images`)).status).toBe(404);
  });

  it('answers owned=true without reading per layer, and a page of the largest manifests within the budget', async () => {
    // 100 tags on manifests of about 250 KB each: rows embed a manifest only when it is small
    // enough for a full page to fit one response.
    await createRepository(server, alice, 'alice', 'big', { visibility: 'public' });
    const padding = 'a'.repeat(240_000);
    const big = manifestWith({ annotations: { padding } });
    expect((await pushRaw('alice/big', 'big', big)).status).toBe(201);
    for (let index = 0; index < 99; index++) {
      const response = await server.api('PUT', `/api/v1/repository/alice/big/tag/t${index}`, { token: alice, body: { manifest_digest: sha256(big) } });
      expect(response.status).toBe(201);
    }
    const page = await listTags(server, undefined, 'alice/big', 'limit=100');
    expect(page.body.tags).toHaveLength(100);
    expect(Buffer.byteLength(JSON.stringify(page.text))).toBeLessThan(RESPONSE_BUDGET_BYTES);
    expect(page.body.tags[0].manifest).toBeUndefined();
    expect(page.body.tags[0].manifest_digest).toBe(sha256(big));
    const owned = await server.api('GET', '/api/v1/repository/alice/big/tag/big/images?owned=true');
    expect(owned.body).toEqual({ images: [] });
  });
});

describe('names as Quay has them', () => {
  it('a subject with a "/" is anonymous: it cannot create a namespace that aliases alice/x%2Fapp', async () => {
    const slashed = await server.tokenFor('alice/x');
    const create = await server.api('POST', '/api/v1/repository', {
      token: slashed,
      body: { namespace: 'alice/x', repository: 'app', visibility: 'private', description: '' },
    });
    expect(create.status).toBe(401);
    expect((await server.api('POST', '/api/v1/organization/', { token: slashed, body: { name: 'slashorg' } })).status).toBe(401);
  });

  it('path parameters never carry a decoded "/" into a key', async () => {
    // bob/x's repository "app" and alice's would-be "x/app" would share the key REPO#alice/x/app.
    await createRepository(server, alice, 'alice', 'x', { visibility: 'private' });
    expect((await server.api('GET', '/api/v1/repository/alice/x%2Fapp/tag/', { token: alice })).status).toBe(404);
    // Not alice's namespace: refused as any namespace she does not administer.
    expect((await server.api('GET', '/api/v1/repository/alice%2Fx/app/tag/', { token: alice })).status).toBe(403);
    expect((await server.api('PUT', '/api/v1/repository/alice/x%2Fapp/permissions/user/carol', { token: alice, body: { role: 'admin' } })).status).toBe(404);
    for (const username of ['x'.repeat(3000), 'bob%2Fx', 'bob%22']) {
      const response = await server.api('DELETE', `${repo}/permissions/user/${username}`, { token: alice });
      expect(response.status, username).toBe(400);
      expect(response.body).toEqual({ message: 'User does not have permission for repo.' });
    }
    // The Bearer challenge never echoes a path that names nothing.
    const challenge = await server.api('GET', '/v2/alice/a%22b/tags/list');
    expect(challenge.status).toBe(401);
    expect(challenge.headers.get('www-authenticate')).not.toContain('a"b');
  });

  it('a subject is never trimmed: "alice\\u00a0" is not alice', async () => {
    await createRepository(server, alice, 'alice', 'secret', { visibility: 'private' });
    const lookalike = await rawToken({ sub: 'alice\u00a0', exp: nowS() + 3600 });
    expect((await listTags(server, lookalike, 'alice/secret')).status).toBe(401);
    expect((await listTags(server, alice, 'alice/secret')).status).toBe(200);
  });

  it('a token without exp is refused', async () => {
    const forever = await rawToken({ sub: 'alice' });
    expect((await listTags(server, forever, 'alice/secret')).status).toBe(401);
    expect((await listTags(server, await rawToken({ sub: 'alice', exp: nowS() + 60 }), 'alice/secret')).status).toBe(200);
  });

  it('organizations and repositories follow the namespace rule', async () => {
    for (const name of ['_x', 'a__b', 'a-', 'a.']) {
      expect((await server.api('POST', '/api/v1/organization/', { token: alice, body: { name } })).status, name).toBe(400);
    }
    for (const repository of ['app-', '-app', 'a..b', 'a_']) {
      const response = await server.api('POST', '/api/v1/repository', { token: alice, body: { namespace: 'alice', repository, visibility: 'public' } });
      expect(response.status, repository).toBe(400);
    }
    expect((await server.api('POST', '/api/v1/organization/', { token: alice, body: { name: 'a.b-c_d' } })).status).toBe(201);
  });
});

describe('requests that used to answer 5xx', () => {
  it('a 10,000-deep JSON body is a 400', async () => {
    for (const body of [deep(10_000), `{"manifest_digest":${deep(10_000)}}`]) {
      const response = await server.api('PUT', `${repo}/tag/v1`, { token: alice, body, headers: { 'content-type': 'application/json' } });
      expect(response.status).toBe(400);
    }
    expect((await listTags(server, undefined, 'alice/app', 'specificTag=v1')).body.tags).toEqual([]);
  });

  it('log windows outside 1970-2286 are a 400', async () => {
    for (const query of ['endtime=01/01/2300', 'starttime=12/31/1969', 'starttime=1960-01-01T00:00:00Z', 'endtime=9999-01-01T00:00:00Z', 'endtime=11/20/2286']) {
      const response = await server.api('GET', `${repo}/logs?${query}`, { token: alice });
      expect(response.status, query).toBe(400);
    }
    expect((await server.api('GET', `${repo}/logs?starttime=01/01/1970&endtime=11/19/2286`, { token: alice })).status).toBe(200);
  });

  it('an index naming one child twice is MANIFEST_INVALID, and writes nothing', async () => {
    const child = imageManifest();
    await push(server, alice, 'alice/app', child.digest, child);
    const list = manifestList([child, child]);
    const response = await pushRaw('alice/app', 'twice', list.body, OCI_INDEX);
    expect(response.status).toBe(400);
    expect(response.body.errors[0].code).toBe('MANIFEST_INVALID');
    expect((await server.api('GET', `/v2/alice/app/manifests/${list.digest}`, { token: alice })).status).toBe(404);
  });

  it('layer sizes summing past 2^53 are MANIFEST_INVALID', async () => {
    const layers = [2 ** 52, 2 ** 52, 2 ** 52].map((size) => ({ mediaType: 'l', digest: randomDigest(), size }));
    const response = await pushRaw('alice/app', 'sizes', manifestWith({}, layers));
    expect(response.status).toBe(400);
    expect(response.body.errors[0].code).toBe('MANIFEST_INVALID');
  });

  it('forged next_page cursors are a 400, field by field', async () => {
    const forge = (scope: unknown, from: unknown) => Buffer.from(JSON.stringify({ scope, from })).toString('base64url');
    for (let index = 0; index < 3; index++) await push(server, alice, 'alice/app', `p${index}`, imageManifest());
    const tagScope = JSON.parse(Buffer.from((await listTags(server, undefined, 'alice/app', 'limit=1')).body.next_page, 'base64url').toString()).scope;
    const activeCursor = (await listTags(server, undefined, 'alice/app', 'limit=1&onlyActiveTags=true')).body.next_page;
    const activeScope = JSON.parse(Buffer.from(activeCursor, 'base64url').toString()).scope;
    const pk = 'REPO#alice/app';
    for (const [scope, from] of [
      [tagScope, { PK: pk, SK: `H#${'é'.repeat(1000)}` }],
      [tagScope, { PK: pk, SK: 'H#0000000000001#' }],
      [activeScope, { PK: pk, SK: 'TAG#latest', activePK: pk, activeSK: 'é'.repeat(1000) }],
      [activeScope, { PK: pk, SK: `TAG#${'x'.repeat(600)}`, activePK: pk, activeSK: `0000000000001#${'x'.repeat(600)}` }],
    ]) {
      const response = await listTags(server, undefined, 'alice/app', `next_page=${forge(scope, from)}`);
      expect(response.status, JSON.stringify(from)).toBe(400);
    }
    const logScope = JSON.stringify(['logs', 'alice', 'app']);
    for (const from of [
      { startMs: 0, endMs: 1, key: {} },
      { startMs: 0, endMs: 1, key: { PK: pk } },
      { startMs: 0, endMs: 1, key: { PK: pk, SK: 'é'.repeat(1000) } },
      { startMs: -1e20, endMs: 1e20, key: { PK: pk, SK: '0000000000001#e' } },
    ]) {
      const response = await server.api('GET', `${repo}/logs?next_page=${forge(logScope, from)}`, { token: alice });
      expect(response.status, JSON.stringify(from)).toBe(400);
    }
  });

  it('an unparseable X-Forwarded-Host is neither a 5xx nor reflected', async () => {
    const hostile = 'evil.example/"><script>,x';
    for (const host of [hostile, '[::1', 'a b', '%%%']) {
      const challenge = await server.api('GET', '/v2/alice/secret/tags/list', { headers: { 'x-forwarded-host': host } });
      expect(challenge.status, host).toBe(401);
      expect(challenge.headers.get('www-authenticate')).not.toContain(host);
      expect(challenge.headers.get('www-authenticate')).toMatch(/^Bearer realm="http:\/\/(127\.0\.0\.1|localhost):\d+\/v2\/auth"/);
      const error = await server.api('GET', '/api/v1/repository/alice/secret/tag/', { headers: { 'x-forwarded-host': host } });
      expect(error.status).toBe(401);
      expect(error.text).not.toContain('script');
    }
    const proxied = await server.api('GET', '/v2/alice/secret/tags/list', { headers: { 'x-forwarded-host': 'registry.example:8443', 'x-forwarded-proto': 'https' } });
    expect(proxied.headers.get('www-authenticate')).toContain('realm="https://registry.example:8443/v2/auth"');
  });

  it('descriptions and emails too long for an item are a 400 in Quay\'s shape, writing nothing', async () => {
    const description = 'é'.repeat(300_000);
    const repository = await server.api('POST', '/api/v1/repository', { token: alice, body: { namespace: 'alice', repository: 'long', visibility: 'public', description } });
    expect(repository.status).toBe(400);
    expect(repository.body.error_type).toBe('invalid_request');
    expect((await server.api('GET', '/api/v1/repository/alice/long/tag/', { token: alice })).status).toBe(404);
    const email = `${'e'.repeat(500_000)}@example.com`;
    const organization = await server.api('POST', '/api/v1/organization/', { token: alice, body: { name: 'longmail', email } });
    expect(organization.status).toBe(400);
    expect(organization.body.error_type).toBe('invalid_request');
    expect((await server.api('PUT', '/api/v1/user/', { token: alice, body: { email } })).status).toBe(400);
  });
});

describe('instants the keys cannot order', () => {
  it('?at= beyond 2286 or before 1970 is a 400, never a list of ended tags', async () => {
    for (const at of ['10000000000', '99999999999', '2300-01-01T00:00:00Z', '1960-01-01T00:00:00Z']) {
      const response = await listTags(server, undefined, 'alice/app', `at=${at}`);
      expect(response.status, at).toBe(400);
    }
    expect((await listTags(server, undefined, 'alice/app', `at=${nowS()}`)).status).toBe(200);
  });
});

describe('manifest lists have no legacy image (Quay 2020)', () => {
  it('/images answers {"images": []} and the tag row carries no image ids', async () => {
    const children = [imageManifest(), imageManifest()];
    for (const child of children) await push(server, alice, 'alice/app', child.digest, child);
    const list = await push(server, alice, 'alice/app', 'multi', manifestList(children));
    const images = await server.api('GET', `${repo}/tag/multi/images`);
    expect(images.status).toBe(200);
    expect(images.body).toEqual({ images: [] });
    const [row] = (await listTags(server, undefined, 'alice/app', 'specificTag=multi')).body.tags;
    expect(Object.keys(row)).toEqual(['name', 'reversion', 'immutable', 'start_ts', 'manifest_digest', 'manifest', 'is_manifest_list', 'size', 'last_modified']);
    expect(row).toMatchObject({ manifest_digest: list.digest, is_manifest_list: true, size: null });
  });
});
