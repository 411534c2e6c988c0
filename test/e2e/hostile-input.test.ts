/**
 * Inputs a reviewer or an attacker would try: oversized names and identifiers, forged cursors,
 * double-encoded paths, absurd page numbers, huge manifests. Each gets a clear 4xx (or an empty
 * answer), never a 500 and never a partial write.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepository, listTags, push } from '../support/fixtures.js';
import { startTestServer } from '../support/local-server.js';
import type { TestServer } from '../support/local-server.js';
import { imageManifest, randomDigest, sha256 } from '../support/manifests.js';
import { MAX_LAYERS, RESPONSE_BUDGET_BYTES } from '../../shared/domain/limits.js';

let server: TestServer;
let token: string;
const path = '/api/v1/repository/hostile/repo';

beforeAll(async () => {
  server = await startTestServer({ streamPolling: false });
  token = await server.tokenFor('hostile');
  await createRepository(server, token, 'hostile', 'repo', { visibility: 'public' });
  const manifest = await push(server, token, 'hostile/repo', 'latest', imageManifest());
  for (let index = 0; index < 12; index++) {
    await server.api('PUT', `${path}/tag/t${index}`, { token, body: { manifest_digest: manifest.digest } });
  }
});

afterAll(async () => {
  await server?.stop();
});

describe('names and identifiers that cannot exist', () => {
  const long = 'x'.repeat(1100);
  it('answers 404 or 400, never 500', async () => {
    expect((await server.api('DELETE', `${path}/tag/${long}`, { token })).status).toBe(404);
    expect((await server.api('GET', `${path}/tag/${long}/images`, { token })).status).toBe(404);
    expect((await server.api('POST', `${path}/tag/${long}/restore`, { token, body: { manifest_digest: randomDigest() } })).status).toBe(400);
    expect((await listTags(server, token, 'hostile/repo', `specificTag=${long}&onlyActiveTags=true`)).body.tags).toEqual([]);
    expect((await server.api('PUT', `${path}/tag/ok`, { token, body: { manifest_digest: 'x'.repeat(3000) } })).status).toBe(404);
    expect((await server.api('POST', `${path}/tag/ok/restore`, { token, body: { manifest_digest: 'x'.repeat(3000) } })).status).toBe(404);
    expect((await server.api('PUT', `${path}/tag/ok`, { token, body: { image: 'x'.repeat(1100) } })).status).toBe(404);
    expect((await server.api('GET', `/v2/hostile/repo/manifests/${long}`, { token })).status).toBe(404);
    expect((await server.api('GET', `/v2/hostile/repo/tags/list?last=${long}`, { token })).status).toBe(400);
    expect((await server.api('GET', `/api/v1/repository/hostile/${'r'.repeat(3000)}/tag/`, { token })).status).toBe(404);
    expect((await server.api('GET', `/api/v1/repository/${'n'.repeat(3000)}/repo/tag/`, { token })).status).toBe(403);
    expect((await server.api('PUT', `/api/v1/organization/${'o'.repeat(3000)}`, { token, body: {} })).status).toBe(403);
  });

  it('decodes path parameters once: %2541 is the three characters %41, not A', async () => {
    const response = await server.api('PUT', `${path}/tag/a%2541`, { token, body: {} });
    expect(response.status).toBe(400);
    expect((await listTags(server, token, 'hostile/repo', 'specificTag=aA')).body.tags).toEqual([]);
  });
});

describe('paging', () => {
  it('refuses offsets too deep to read cheaply, and accepts Python integers', async () => {
    const deep = await listTags(server, undefined, 'hostile/repo', 'page=21474837&limit=100');
    expect(deep.status).toBe(400);
    expect(deep.body.detail).toContain('next_page');
    expect((await listTags(server, undefined, 'hostile/repo', 'limit=1_0')).body.tags).toHaveLength(10);
    expect((await listTags(server, undefined, 'hostile/repo', 'limit=99999999999999999999')).body.tags).toHaveLength(13);
  });

  it('refuses forged cursors with 400', async () => {
    const real = (await listTags(server, undefined, 'hostile/repo', 'limit=2')).body.next_page as string;
    const { scope } = JSON.parse(Buffer.from(real, 'base64url').toString());
    const forge = (from: unknown) => Buffer.from(JSON.stringify({ scope, from })).toString('base64url');
    for (const from of [
      { PK: 'REPO#other/repo', SK: 'H#1' },
      { PK: 'REPO#hostile/repo', SK: 'TAG#x' },
      { PK: 'REPO#hostile/repo', SK: 5 },
      { PK: 'REPO#hostile/repo', SK: 'H#1', extra: 'x' },
      ['PK'],
    ]) {
      const response = await listTags(server, undefined, 'hostile/repo', `next_page=${forge(from)}`);
      expect(response.status, JSON.stringify(from)).toBe(400);
    }
  });

  it('combines specificTag, onlyActiveTags and like: with AND', async () => {
    const query = 'specificTag=latest&onlyActiveTags=1&filter_tag_name=like:zzz';
    expect((await listTags(server, undefined, 'hostile/repo', query)).body.tags).toEqual([]);
    const match = 'specificTag=latest&onlyActiveTags=1&filter_tag_name=like:TES';
    expect((await listTags(server, undefined, 'hostile/repo', match)).body.tags).toHaveLength(1);
  });
});

describe('manifests', () => {
  it('stores a manifest of the most layers accepted, and its /images fits a Lambda response', async () => {
    const layers = Array.from({ length: MAX_LAYERS }, (_, index) => ({ mediaType: 'l', digest: sha256(`layer-${index}`), size: index + 1 }));
    const body = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256('config'), size: 10 },
      layers,
    });
    const manifest = { mediaType: 'application/vnd.oci.image.manifest.v1+json', body, digest: sha256(body), layers, size: 0 };
    await push(server, token, 'hostile/repo', 'huge', manifest);
    const images = await server.api('GET', `${path}/tag/huge/images`, { token });
    expect(images.body.images).toHaveLength(MAX_LAYERS);
    expect(Buffer.byteLength(JSON.stringify(images.text))).toBeLessThan(RESPONSE_BUDGET_BYTES);
  });

  it('keeps an untagged manifest for an hour even with a 0 s window (children before their list)', async () => {
    expect((await server.api('PUT', '/api/v1/user/', { token, body: { tag_expiration_s: 0 } })).status).toBe(200);
    const child = imageManifest();
    await push(server, token, 'hostile/repo', child.digest, child);
    expect((await server.api('POST', '/_local/sweep')).body.deleted_manifests).toBe(0);
    expect((await server.api('GET', `/v2/hostile/repo/manifests/${child.digest}`, { token })).status).toBe(200);
    await server.api('POST', '/_local/clock', { body: { advance_s: 3601 } });
    expect((await server.api('POST', '/_local/sweep')).body.deleted_manifests).toBeGreaterThanOrEqual(1);
    expect((await server.api('GET', `/v2/hostile/repo/manifests/${child.digest}`, { token })).status).toBe(404);
  });
});

describe('namespaces', () => {
  it("a user cannot read the audit log of an organization that took the user's name", async () => {
    const bob = await server.tokenFor('bob');
    expect((await server.api('POST', '/api/v1/organization/', { token: bob, body: { name: 'acmecorp' } })).status).toBe(201);
    const namesake = await server.tokenFor('acmecorp');
    expect((await server.api('GET', '/api/v1/user/logs', { token: namesake })).status).toBe(403);
    expect((await server.api('PUT', '/api/v1/user/', { token: namesake, body: {} })).status).toBe(403);
  });
});
