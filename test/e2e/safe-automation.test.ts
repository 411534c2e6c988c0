/**
 * Safe automation end to end over HTTP: conditional tag writes (If-Match / If-None-Match) and
 * atomic multi-tag changes (POST …/tag/), including racing writers and a batch that must change
 * nothing when one expectation fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepository, listTags, push } from '../support/fixtures.js';
import { startTestServer } from '../support/local-server.js';
import type { TestServer } from '../support/local-server.js';
import { imageManifest } from '../support/manifests.js';
import type { BuiltManifest } from '../support/manifests.js';
import { MAX_TAG_CHANGES } from '../../shared/domain/limits.js';

let server: TestServer;
let owner: string;
let a: BuiltManifest;
let b: BuiltManifest;
let c: BuiltManifest;
const path = 'releaser/app';
const tagUrl = (tag: string) => `/api/v1/repository/${path}/tag/${tag}`;

beforeAll(async () => {
  server = await startTestServer();
  owner = await server.tokenFor('releaser');
  await createRepository(server, owner, 'releaser', 'app');
  a = await push(server, owner, path, 'build-a', imageManifest());
  b = await push(server, owner, path, 'build-b', imageManifest());
  c = await push(server, owner, path, 'build-c', imageManifest());
});

afterAll(async () => {
  await server?.stop();
});

const put = (tag: string, digest: string, headers: Record<string, string> = {}) =>
  server.api('PUT', tagUrl(tag), { token: owner, body: { manifest_digest: digest }, headers });
const aliveDigest = async (tag: string) =>
  (await listTags(server, owner, path, `specificTag=${tag}&onlyActiveTags=true`)).body.tags[0]?.manifest_digest ?? null;
const historyLength = async (tag: string) => (await listTags(server, owner, path, `specificTag=${tag}`)).body.tags.length;
const batch = (changes: unknown[], spelling = 'tag/') =>
  server.api('POST', `/api/v1/repository/${path}/${spelling}`, { token: owner, body: { changes } });
async function logs() {
  expect((await server.api('POST', '/_local/audit/flush')).status).toBe(200);
  return (await server.api('GET', `/api/v1/repository/${path}/logs`, { token: owner })).body.logs as any[];
}

describe('conditional tag writes', () => {
  it('If-None-Match: * creates only a tag that is not alive', async () => {
    expect((await put('cond-new', a.digest, { 'if-none-match': '*' })).status).toBe(201);
    const refused = await put('cond-new', b.digest, { 'if-none-match': '*' });
    expect(refused.status).toBe(412);
    expect(refused.body).toMatchObject({ error_type: 'precondition_failed', status: 412 });
    expect(refused.body.detail).toContain(a.digest);
    expect(await aliveDigest('cond-new')).toBe(a.digest);
    expect(await historyLength('cond-new')).toBe(1);
  });

  it('If-Match moves, deletes and restores only at the expected digest', async () => {
    await put('cond', a.digest);
    const stale = await put('cond', c.digest, { 'if-match': `"${b.digest}"` });
    expect(stale.status).toBe(412);
    expect(stale.body.detail).toContain(a.digest);
    expect((await put('cond', b.digest, { 'if-match': `"${a.digest}"` })).status).toBe(201);
    expect(await aliveDigest('cond')).toBe(b.digest);

    expect((await server.api('DELETE', tagUrl('cond'), { token: owner, headers: { 'if-match': `"${a.digest}"` } })).status).toBe(412);
    expect((await server.api('DELETE', tagUrl('cond'), { token: owner, headers: { 'if-match': `"${b.digest}"` } })).status).toBe(204);

    const restore = (digest: string, headers: Record<string, string>) =>
      server.api('POST', tagUrl('cond/restore'), { token: owner, body: { manifest_digest: digest }, headers });
    const dead = await restore(a.digest, { 'if-match': `"${b.digest}"` });
    expect(dead.status).toBe(412);
    expect(dead.body.detail).toContain('not alive');
    expect(await historyLength('cond')).toBe(2);
    expect((await restore(a.digest, {})).status).toBe(200);
    expect((await restore(c.digest, { 'if-match': `"${a.digest}"` })).status).toBe(200);
    expect(await aliveDigest('cond')).toBe(c.digest);
  });

  it('refuses malformed conditions with 400 and writes nothing', async () => {
    await put('malformed', a.digest);
    for (const headers of <Record<string, string>[]>[
      { 'if-match': a.digest },
      { 'if-match': '"sha256:nothex"' },
      { 'if-match': '*' },
      { 'if-none-match': `"${a.digest}"` },
      { 'if-match': `"${a.digest}"`, 'if-none-match': '*' },
    ]) {
      expect((await put('malformed', b.digest, headers)).status).toBe(400);
    }
    expect((await server.api('DELETE', tagUrl('malformed'), { token: owner, headers: { 'if-none-match': '*' } })).status).toBe(400);
    expect(await aliveDigest('malformed')).toBe(a.digest);
    expect(await historyLength('malformed')).toBe(1);
  });

  it('lets exactly one of N racing If-Match moves win; the rest get 412', async () => {
    await put('raced', a.digest);
    const targets = [b, c, b, c, b, c, b, c];
    const responses = await Promise.all(targets.map((target) => put('raced', target.digest, { 'if-match': `"${a.digest}"` })));
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status === 412)).toHaveLength(targets.length - 1);
    const winner = targets[statuses.indexOf(201)];
    expect(await aliveDigest('raced')).toBe(winner.digest);
    expect(await historyLength('raced')).toBe(2);
  });
});

describe('atomic multi-tag changes', () => {
  it('creates, moves and deletes in one transaction, with one audit entry per tag sharing an operation_id', async () => {
    await put('m-prod', a.digest);
    await put('m-old', a.digest);
    const response = await batch([
      { tag: 'm-prod', manifest_digest: b.digest, expected_manifest_digest: a.digest },
      { tag: 'm-stable', manifest_digest: b.digest, expected_manifest_digest: null },
      { tag: 'm-old', delete: true },
    ]);
    expect(response.status, response.text).toBe(200);
    expect(response.body).toEqual({
      changes: [
        { tag: 'm-prod', manifest_digest: b.digest, previous_manifest_digest: a.digest },
        { tag: 'm-stable', manifest_digest: b.digest, previous_manifest_digest: null },
        { tag: 'm-old', manifest_digest: null, previous_manifest_digest: a.digest },
      ],
    });
    expect(await aliveDigest('m-prod')).toBe(b.digest);
    expect(await aliveDigest('m-stable')).toBe(b.digest);
    expect(await aliveDigest('m-old')).toBeNull();
    const entries = (await logs()).filter((entry) => ['m-prod', 'm-stable', 'm-old'].includes(entry.metadata.tag) && entry.metadata.operation_id);
    expect(entries.map((entry) => `${entry.kind}:${entry.metadata.tag}`).sort()).toEqual(['create_tag:m-stable', 'delete_tag:m-old', 'move_tag:m-prod']);
    expect(new Set(entries.map((entry) => entry.metadata.operation_id)).size).toBe(1);
  });

  it('changes nothing when one expectation fails, and names the tags', async () => {
    await put('f-one', a.digest);
    await put('f-two', a.digest);
    const response = await batch([
      { tag: 'f-one', manifest_digest: b.digest, expected_manifest_digest: a.digest },
      { tag: 'f-two', manifest_digest: b.digest, expected_manifest_digest: c.digest },
      { tag: 'f-three', manifest_digest: b.digest },
    ]);
    expect(response.status).toBe(412);
    expect(response.body.error_type).toBe('precondition_failed');
    expect(response.body.detail).toContain('f-two');
    expect(response.body.detail).not.toContain('f-one');
    expect(await aliveDigest('f-one')).toBe(a.digest);
    expect(await aliveDigest('f-three')).toBeNull();
    expect(await historyLength('f-one')).toBe(1);
    expect(await historyLength('f-three')).toBe(0);
  });

  it('reaches the route with and without the trailing slash', async () => {
    const response = await batch([{ tag: 'slashless', manifest_digest: c.digest }], 'tag');
    expect(response.status, response.text).toBe(200);
    expect(await aliveDigest('slashless')).toBe(c.digest);
    expect((await batch([{ tag: 'x', manifest_digest: c.digest }], 'tag/extra')).status).toBe(404);
  });

  it(`holds ${MAX_TAG_CHANGES} changes and refuses more, duplicates and malformed changes with 400`, async () => {
    const many = Array.from({ length: MAX_TAG_CHANGES }, (_, index) => ({ tag: `many-${index}`, manifest_digest: a.digest, expected_manifest_digest: null }));
    expect((await batch(many)).status).toBe(200);
    const moved = many.map((change) => ({ tag: change.tag, manifest_digest: b.digest, expected_manifest_digest: a.digest }));
    expect((await batch(moved)).status).toBe(200);
    expect(await aliveDigest(`many-${MAX_TAG_CHANGES - 1}`)).toBe(b.digest);
    const refused = [
      [...many, { tag: 'one-more', manifest_digest: a.digest }],
      [],
      [{ tag: 'dup', manifest_digest: a.digest }, { tag: 'dup', delete: true }],
      [{ tag: 'both', manifest_digest: a.digest, delete: true }],
      [{ tag: 'neither' }],
      [{ tag: 'bad digest', manifest_digest: a.digest }],
      [{ tag: 'badexp', manifest_digest: a.digest, expected_manifest_digest: 'sha256:zz' }],
    ];
    for (const changes of refused) expect((await batch(changes)).status, JSON.stringify(changes)).toBe(400);
    expect(await aliveDigest('one-more')).toBeNull();
    expect(await aliveDigest('dup')).toBeNull();
  });

  it('answers 404 for a delete of a tag that is not alive or an unknown manifest, writing nothing', async () => {
    await put('nf-keep', a.digest);
    const ghost = imageManifest();
    expect((await batch([{ tag: 'nf-keep', manifest_digest: b.digest }, { tag: 'nf-ghost', delete: true }])).status).toBe(404);
    expect((await batch([{ tag: 'nf-keep', manifest_digest: ghost.digest }])).status).toBe(404);
    expect(await aliveDigest('nf-keep')).toBe(a.digest);
  });
});
