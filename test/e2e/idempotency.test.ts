/**
 * Idempotency-Key end to end over HTTP: replays return the first response and change nothing (no
 * second range, no second audit entry), another request under the same key is 422, keys are scoped
 * to the caller, and a storm of 20 concurrent duplicates has exactly one effect.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepository, grant, listTags, push } from '../support/fixtures.js';
import { startTestServer } from '../support/local-server.js';
import type { TestServer } from '../support/local-server.js';
import { imageManifest } from '../support/manifests.js';
import type { BuiltManifest } from '../support/manifests.js';

let server: TestServer;
let owner: string;
let a: BuiltManifest;
let b: BuiltManifest;
const path = 'idem/app';
const tagUrl = (tag: string) => `/api/v1/repository/${path}/tag/${tag}`;

beforeAll(async () => {
  server = await startTestServer();
  owner = await server.tokenFor('idem');
  await createRepository(server, owner, 'idem', 'app');
  a = await push(server, owner, path, 'build-a', imageManifest());
  b = await push(server, owner, path, 'build-b', imageManifest());
});

afterAll(async () => {
  await server?.stop();
});

const put = (tag: string, digest: string, key: string, token = owner) =>
  server.api('PUT', tagUrl(tag), { token, body: { manifest_digest: digest }, headers: { 'idempotency-key': key } });
const historyLength = async (tag: string) => (await listTags(server, owner, path, `specificTag=${tag}`)).body.tags.length;
async function auditEntries(tag: string) {
  expect((await server.api('POST', '/_local/audit/flush')).status).toBe(200);
  const logs = (await server.api('GET', `/api/v1/repository/${path}/logs`, { token: owner })).body.logs as any[];
  return logs.filter((entry) => entry.metadata.tag === tag);
}

describe('Idempotency-Key', () => {
  it('replays the first response without a second effect or audit entry', async () => {
    const first = await put('replayed', a.digest, 'release-1');
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const again = await put('replayed', a.digest, 'release-1');
    expect(again.status).toBe(201);
    expect(again.text).toBe(first.text);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await historyLength('replayed')).toBe(1);
    expect((await auditEntries('replayed')).map((entry) => entry.kind)).toEqual(['create_tag']);
  });

  it('refuses the same key with a different request (422) and malformed keys (400), writing nothing', async () => {
    expect((await put('reused', a.digest, 'key-2')).status).toBe(201);
    const other = await put('reused', b.digest, 'key-2');
    expect(other.status).toBe(422);
    expect(other.body.error_type).toBe('idempotency_key_reused');
    expect((await server.api('DELETE', tagUrl('reused'), { token: owner, headers: { 'idempotency-key': 'key-2' } })).status).toBe(422);
    for (const key of ['', 'x'.repeat(256)]) expect((await put('reused', b.digest, key)).status).toBe(400);
    expect(await historyLength('reused')).toBe(1);
  });

  it('scopes keys to the caller', async () => {
    const colleague = await server.tokenFor('colleague');
    await grant(server, owner, path, 'colleague', 'write');
    expect((await put('scoped-1', a.digest, 'shared-key')).status).toBe(201);
    const theirs = await put('scoped-2', a.digest, 'shared-key', colleague);
    expect(theirs.status).toBe(201);
    expect(theirs.headers.get('idempotent-replayed')).toBeNull();
    expect(await historyLength('scoped-2')).toBe(1);
  });

  it('runs a request again when its first attempt failed (nothing was stored)', async () => {
    const conditional = () =>
      server.api('PUT', tagUrl('later'), { token: owner, body: { manifest_digest: b.digest }, headers: { 'idempotency-key': 'key-4', 'if-match': `"${a.digest}"` } });
    expect((await conditional()).status).toBe(412);
    await put('later', a.digest, 'key-4-setup');
    const retried = await conditional();
    expect(retried.status).toBe(201);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
    expect((await conditional()).headers.get('idempotent-replayed')).toBe('true');
  });

  it('has exactly one effect under a storm of 20 concurrent duplicates', async () => {
    await put('stormy', a.digest, 'storm-setup');
    const changes = { changes: [{ tag: 'stormy', manifest_digest: b.digest, expected_manifest_digest: a.digest }] };
    const storm = await Promise.all(
      Array.from({ length: 20 }, () =>
        server.api('POST', `/api/v1/repository/${path}/tag/`, { token: owner, body: changes, headers: { 'idempotency-key': 'storm' } }),
      ),
    );
    const statuses = storm.map((response) => response.status);
    expect(statuses.every((status) => status === 200 || status === 409), JSON.stringify(statuses)).toBe(true);
    expect(storm.filter((response) => response.status === 200 && response.headers.get('idempotent-replayed') === null)).toHaveLength(1);
    const after = await server.api('POST', `/api/v1/repository/${path}/tag/`, { token: owner, body: changes, headers: { 'idempotency-key': 'storm' } });
    expect(after.status).toBe(200);
    expect(after.headers.get('idempotent-replayed')).toBe('true');
    expect(after.body.changes).toEqual([{ tag: 'stormy', manifest_digest: b.digest, previous_manifest_digest: a.digest }]);
    expect(await historyLength('stormy')).toBe(2);
    expect((await auditEntries('stormy')).map((entry) => entry.kind).sort()).toEqual(['create_tag', 'move_tag']);
  });

  it('covers the OCI manifest PUT too', async () => {
    const manifest = imageManifest();
    const send = () =>
      server.api('PUT', `/v2/${path}/manifests/pushed`, { token: owner, body: manifest.body, headers: { 'content-type': manifest.mediaType, 'idempotency-key': 'push-1' } });
    expect((await send()).status).toBe(201);
    const again = await send();
    expect(again.status).toBe(201);
    expect(again.headers.get('docker-content-digest')).toBe(manifest.digest);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await historyLength('pushed')).toBe(1);
  });
});
