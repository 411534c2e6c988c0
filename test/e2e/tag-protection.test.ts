/**
 * Tag immutability as current Quay (FEATURE_IMMUTABLE_TAGS on, CAN_EXPIRE off), case by case over
 * HTTP: the PUT `immutable` flag, what an immutable tag refuses (API and /v2), the audit entries,
 * the sweep, and the explain endpoint.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepository, grant, listTags, push } from '../support/fixtures.js';
import { startTestServer } from '../support/local-server.js';
import type { TestServer } from '../support/local-server.js';
import { imageManifest } from '../support/manifests.js';
import type { BuiltManifest } from '../support/manifests.js';

let server: TestServer;
let owner: string;
let writer: string;
const PATH = 'owner/locked';
let first: BuiltManifest;
let second: BuiltManifest;

beforeAll(async () => {
  server = await startTestServer();
  owner = await server.tokenFor('owner');
  writer = await server.tokenFor('writer');
  await createRepository(server, owner, 'owner', 'locked');
  await grant(server, owner, PATH, 'writer', 'write');
  first = await push(server, owner, PATH, 'v1', imageManifest());
  second = await push(server, owner, PATH, 'other', imageManifest());
});

afterAll(async () => {
  await server?.stop();
});

const tagPath = (tag: string) => `/api/v1/repository/${PATH}/tag/${encodeURIComponent(tag)}`;
const putTag = (tag: string, body: unknown, token = owner) => server.api('PUT', tagPath(tag), { token, body });
const protection = (tag: string, token = owner) => server.api('GET', `${tagPath(tag)}/protection`, { token });
const aliveRow = async (tag: string) => (await listTags(server, owner, PATH, `specificTag=${tag}&onlyActiveTags=true`)).body.tags[0];
const problem = (detail: string, status = 409, type = 'tag_immutable') => ({
  detail,
  error_message: detail,
  error_type: type,
  title: type,
  type: `${server.url}/api/v1/error/${type}`,
  status,
});
async function logs(kind: string) {
  expect((await server.api('POST', '/_local/audit/flush')).status).toBe(200);
  const response = await server.api('GET', `/api/v1/repository/${PATH}/logs`, { token: owner });
  return (response.body.logs as { kind: string; metadata: Record<string, unknown> }[]).filter((entry) => entry.kind === kind);
}

async function freshImmutableTag(tag: string, manifest = first) {
  await push(server, owner, PATH, tag, manifest);
  expect((await putTag(tag, { immutable: true })).status).toBe(201);
}

describe('PUT {immutable}', () => {
  it('makes a tag immutable; the row says so right after reversion, and the explain endpoint says why', async () => {
    expect(await aliveRow('v1')).toMatchObject({ immutable: false });
    const response = await putTag('v1', { immutable: true });
    expect(response.status).toBe(201);
    expect(response.body).toBe('Updated');
    const row = await aliveRow('v1');
    expect(Object.keys(row).slice(0, 3)).toEqual(['name', 'reversion', 'immutable']);
    expect(row.immutable).toBe(true);
    expect((await protection('v1')).body).toEqual({ tag: 'v1', immutable: true, immutable_by: { kind: 'api' }, expiration_ts: null, prune: null });
    const entries = await logs('change_tag_immutability');
    expect(entries.at(0)?.metadata).toMatchObject({ username: 'owner', repo: 'locked', tag: 'v1', namespace: 'owner', immutable: true, previous_immutable: false });
  });

  it('refuses a move, a re-create to the same digest, a delete and a restore over it with 409 tag_immutable', async () => {
    await freshImmutableTag('guarded');
    const move = await putTag('guarded', { manifest_digest: second.digest });
    expect(move.status).toBe(409);
    expect(move.body).toEqual(problem("Cannot overwrite immutable tag 'guarded'"));
    expect((await putTag('guarded', { manifest_digest: first.digest })).status).toBe(409);
    const del = await server.api('DELETE', tagPath('guarded'), { token: owner });
    expect(del.status).toBe(409);
    expect(del.body).toEqual(problem("Cannot delete immutable tag 'guarded'"));
    const restore = await server.api('POST', `${tagPath('guarded')}/restore`, { token: owner, body: { manifest_digest: second.digest } });
    expect(restore.status).toBe(409);
    expect(restore.body).toEqual(problem("Cannot overwrite immutable tag 'guarded'"));
    expect((await aliveRow('guarded')).manifest_digest).toBe(first.digest);
  });

  it('refuses an expiration with Quay 400 message, but clears one (null)', async () => {
    await freshImmutableTag('noexpiry');
    const set = await putTag('noexpiry', { expiration: Math.floor(Date.now() / 1000) + 86_400 });
    expect(set.status).toBe(400);
    expect(set.body).toEqual({ message: "Cannot set expiration on immutable tag 'noexpiry'" });
    expect((await putTag('noexpiry', { expiration: null })).status).toBe(201);
    expect((await aliveRow('noexpiry')).end_ts).toBeUndefined();
  });

  it('refuses to make a tag with an expiration immutable; {expiration: null, immutable: true} works (expiration first)', async () => {
    await push(server, owner, PATH, 'expiring', first);
    expect((await putTag('expiring', { expiration: Math.floor(Date.now() / 1000) + 86_400 })).status).toBe(201);
    const refused = await putTag('expiring', { immutable: true });
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({
      message: "Cannot make tag 'expiring' immutable: tag has expiration set. Clear expiration first or enable FEATURE_IMMUTABLE_TAGS_CAN_EXPIRE.",
    });
    expect((await aliveRow('expiring')).immutable).toBe(false);
    expect((await putTag('expiring', { expiration: null, immutable: true })).status).toBe(201);
    expect(await aliveRow('expiring')).toMatchObject({ immutable: true });
  });

  it('{immutable: true, manifest_digest} locks the current row, then the move fails with 409; on a new name it is a 404', async () => {
    await push(server, owner, PATH, 'lockmove', first);
    expect((await putTag('lockmove', { immutable: true, manifest_digest: second.digest })).status).toBe(409);
    expect(await aliveRow('lockmove')).toMatchObject({ immutable: true, manifest_digest: first.digest });
    expect((await putTag('brand-new', { immutable: true, manifest_digest: second.digest })).status).toBe(404);
  });

  it('only a repository admin unsets it: a writer gets 403, may set it, and the admin unsets it', async () => {
    await push(server, owner, PATH, 'adminonly', first);
    expect((await putTag('adminonly', { immutable: true }, writer)).status).toBe(201);
    const refused = await putTag('adminonly', { immutable: false }, writer);
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual(problem('Unauthorized', 403, 'insufficient_scope'));
    expect((await aliveRow('adminonly')).immutable).toBe(true);
    expect((await putTag('adminonly', { immutable: false })).status).toBe(201);
    expect((await aliveRow('adminonly')).immutable).toBe(false);
    expect((await server.api('DELETE', tagPath('adminonly'), { token: writer })).status).toBe(204);
  });

  it('answers 404 for a missing tag and 400 for a non-boolean, writing nothing', async () => {
    expect((await putTag('missing', { immutable: true })).status).toBe(404);
    const bad = await putTag('v1', { immutable: null });
    expect(bad.status).toBe(400);
    expect(bad.body.error_type).toBe('invalid_request');
  });
});

describe('/v2 over an immutable tag', () => {
  it('a push of another manifest gets Quay 409 TAG_IMMUTABLE; an identical re-push is an idempotent 201', async () => {
    await freshImmutableTag('pushed', second);
    const other = imageManifest();
    const response = await server.api('PUT', `/v2/${PATH}/manifests/pushed`, { token: owner, body: other.body, headers: { 'content-type': other.mediaType } });
    expect(response.status).toBe(409);
    expect(response.body).toEqual({
      errors: [{ code: 'TAG_IMMUTABLE', message: 'tag is immutable and cannot be overwritten', detail: { message: "tag 'pushed' is immutable" } }],
    });
    await push(server, owner, PATH, 'pushed', second);
    expect(await aliveRow('pushed')).toMatchObject({ immutable: true, manifest_digest: second.digest });
  });
});

describe('the sweep and GC', () => {
  it('never expire an immutable tag nor collect its manifest', async () => {
    const manifest = await push(server, owner, PATH, 'kept', imageManifest());
    expect((await putTag('kept', { immutable: true })).status).toBe(201);
    expect((await server.api('POST', '/_local/sweep')).status).toBe(200);
    expect(await aliveRow('kept')).toMatchObject({ immutable: true, manifest_digest: manifest.digest });
    const get = await server.api('GET', `/v2/${PATH}/manifests/${manifest.digest}`, { token: owner, headers: { accept: manifest.mediaType } });
    expect(get.status).toBe(200);
  });
});

describe('GET …/tag/{tag}/protection', () => {
  it('explains a tag with an expiration and one without protection', async () => {
    await push(server, owner, PATH, 'plain', first);
    const end = Math.floor(Date.now() / 1000) + 86_400;
    expect((await putTag('plain', { expiration: end })).status).toBe(201);
    expect((await protection('plain')).body).toEqual({ tag: 'plain', immutable: false, immutable_by: null, expiration_ts: end, prune: null });
  });

  it('is a 404 for a tag that is not alive, and needs read permission', async () => {
    expect((await protection('nothing-here')).status).toBe(404);
    expect((await protection('v1', '')).status).toBe(401);
    const outsider = await server.tokenFor('outsider');
    expect((await protection('v1', outsider)).status).toBe(403);
    expect((await protection('v1', writer)).status).toBe(200);
  });
});
