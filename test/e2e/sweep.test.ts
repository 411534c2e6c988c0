/**
 * Expiry and the time machine end to end, with the local clock moved forward: expiry is exact at
 * read time before any sweep; the sweep then finalizes it, purges ranges past the namespace window
 * and collects manifests nothing references any more.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepository, listTags, push } from '../support/fixtures.js';
import { startTestServer } from '../support/local-server.js';
import type { TestServer } from '../support/local-server.js';
import { imageManifest, manifestList } from '../support/manifests.js';

let server: TestServer;
let token: string;

beforeAll(async () => {
  server = await startTestServer();
  token = await server.tokenFor('sweeper');
  await createRepository(server, token, 'sweeper', 'app');
});

afterAll(async () => {
  await server?.stop();
});

const advance = async (seconds: number) => {
  const response = await server.api('POST', '/_local/clock', { body: { advance_s: seconds } });
  expect(response.status).toBe(200);
  return response.body.now as number;
};
const sweep = async () => {
  const response = await server.api('POST', '/_local/sweep');
  expect(response.status).toBe(200);
  return response.body;
};
const tagPath = (tag: string) => `/api/v1/repository/sweeper/app/tag/${tag}`;

describe('expiry', () => {
  it('is exact at read time, then the sweep finalizes it once', async () => {
    const manifest = await push(server, token, 'sweeper/app', 'temp', imageManifest());
    const [tag] = (await listTags(server, token, 'sweeper/app', 'specificTag=temp')).body.tags;
    expect((await server.api('PUT', tagPath('temp'), { token, body: { expiration: tag.start_ts + 3600 } })).status).toBe(201);

    // The local clock also runs in real time: leave the requests above a few seconds on a busy machine.
    await advance(3595);
    expect((await listTags(server, token, 'sweeper/app', 'specificTag=temp&onlyActiveTags=true')).body.tags).toHaveLength(1);
    await advance(6);
    // Dead everywhere, before any sweep ran.
    expect((await listTags(server, token, 'sweeper/app', 'specificTag=temp&onlyActiveTags=true')).body.tags).toEqual([]);
    expect((await listTags(server, token, 'sweeper/app', 'onlyActiveTags=true')).body.tags.map((t: { name: string }) => t.name)).not.toContain('temp');
    expect((await server.api('GET', '/v2/sweeper/app/manifests/temp', { token })).status).toBe(404);
    expect((await server.api('GET', '/v2/sweeper/app/tags/list', { token })).body.tags).not.toContain('temp');
    expect((await server.api('DELETE', tagPath('temp'), { token })).status).toBe(404);
    expect((await server.api('PUT', tagPath('temp'), { token, body: { expiration: null } })).status).toBe(404);
    const history = (await listTags(server, token, 'sweeper/app', 'specificTag=temp')).body.tags;
    expect(history).toHaveLength(1);
    expect(history[0].end_ts).toBe(tag.start_ts + 3600);

    const first = await sweep();
    expect(first.expired).toBe(1);
    const second = await sweep();
    expect(second).toMatchObject({ expired: 0, purged_ranges: 0, deleted_manifests: 0 });
    // Restorable while inside the window.
    expect((await server.api('POST', `${tagPath('temp')}/restore`, { token, body: { manifest_digest: manifest.digest } })).status).toBe(200);
  });

  it('a PUT that re-creates an expired, unswept tag finalizes the old range in its own transaction', async () => {
    const manifest = await push(server, token, 'sweeper/app', 'short', imageManifest());
    const [tag] = (await listTags(server, token, 'sweeper/app', 'specificTag=short')).body.tags;
    await server.api('PUT', tagPath('short'), { token, body: { expiration: tag.start_ts + 3600 } });
    await advance(3601);
    await push(server, token, 'sweeper/app', 'short', manifest);
    const history = (await listTags(server, token, 'sweeper/app', 'specificTag=short')).body.tags;
    expect(history).toHaveLength(2);
    expect(history[0].end_ts).toBeUndefined();
    expect(history[1].end_ts).toBe(tag.start_ts + 3600);
    expect((await sweep()).expired).toBe(0);
  });
});

describe('time machine and garbage collection', () => {
  it('purges ranges at exactly the window and collects their manifests', async () => {
    expect((await server.api('PUT', '/api/v1/user/', { token, body: { tag_expiration_s: 86400 } })).status).toBe(200);
    expect((await server.api('PUT', '/api/v1/user/', { token, body: { tag_expiration_s: 12345 } })).status).toBe(400);
    await createRepository(server, token, 'sweeper', 'gc');
    const base = imageManifest({ layerCount: 2 });
    const gone = await push(server, token, 'sweeper/gc', 'gone', base);
    const kept = await push(server, token, 'sweeper/gc', 'kept', imageManifest({ layers: base.layers }));
    expect((await server.api('DELETE', '/api/v1/repository/sweeper/gc/tag/gone', { token })).status).toBe(204);

    await advance(86399);
    expect((await sweep()).purged_ranges).toBe(0);
    expect((await server.api('GET', `/v2/sweeper/gc/manifests/${gone.digest}`, { token })).status).toBe(200);
    await advance(1);
    const report = await sweep();
    expect(report).toMatchObject({ purged_ranges: 1, deleted_manifests: 1 });
    expect((await server.api('GET', `/v2/sweeper/gc/manifests/${gone.digest}`, { token })).status).toBe(404);
    const restore = await server.api('POST', '/api/v1/repository/sweeper/gc/tag/gone/restore', { token, body: { manifest_digest: gone.digest } });
    expect(restore.status).toBe(404);
    expect((await listTags(server, token, 'sweeper/gc', 'specificTag=gone')).body.tags).toEqual([]);
    // The other tag, sharing the layers, is untouched.
    expect((await server.api('GET', `/v2/sweeper/gc/manifests/${kept.digest}`, { token })).status).toBe(200);
    expect(await sweep()).toMatchObject({ expired: 0, purged_ranges: 0, deleted_manifests: 0 });
  });

  it('keeps a manifest another range still references, and children of a stored list', async () => {
    await createRepository(server, token, 'sweeper', 'lists');
    const child = imageManifest();
    await push(server, token, 'sweeper/lists', child.digest, child);
    const list = manifestList([child]);
    await push(server, token, 'sweeper/lists', 'multi', list);
    const shared = await push(server, token, 'sweeper/lists', 'one', imageManifest());
    await server.api('PUT', '/api/v1/repository/sweeper/lists/tag/two', { token, body: { manifest_digest: shared.digest } });
    await server.api('DELETE', '/api/v1/repository/sweeper/lists/tag/one', { token });

    await advance(86400 + 1);
    const report = await sweep();
    expect(report.purged_ranges).toBe(1);
    // `shared` is still held by `two`; `child` by the stored list.
    expect((await server.api('GET', `/v2/sweeper/lists/manifests/${shared.digest}`, { token })).status).toBe(200);
    expect((await server.api('GET', `/v2/sweeper/lists/manifests/${child.digest}`, { token })).status).toBe(200);

    // Once the list is gone, its child goes too.
    await server.api('DELETE', '/api/v1/repository/sweeper/lists/tag/multi', { token });
    await advance(86400 + 1);
    const later = await sweep();
    expect(later.purged_ranges).toBe(1);
    expect(later.deleted_manifests).toBe(2);
    expect((await server.api('GET', `/v2/sweeper/lists/manifests/${list.digest}`, { token })).status).toBe(404);
    expect((await server.api('GET', `/v2/sweeper/lists/manifests/${child.digest}`, { token })).status).toBe(404);
  });
});
