/**
 * Quay's own tag API tests (quay-tag-api.md §8.2, §8.3, §8.5, §8.6) as end-to-end tests over HTTP:
 * request → local gateway → Lambda handler → DynamoDB Local → response.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepository, listTags, push, seedQuayFixtures } from '../support/fixtures.js';
import type { QuayFixtures } from '../support/fixtures.js';
import { startTestServer } from '../support/local-server.js';
import type { TestServer } from '../support/local-server.js';
import { imageManifest, manifestList } from '../support/manifests.js';

let server: TestServer;
let fixtures: QuayFixtures;
let devtable: string;

beforeAll(async () => {
  server = await startTestServer();
  fixtures = await seedQuayFixtures(server);
  devtable = fixtures.tokens.devtable;
});

afterAll(async () => {
  await server?.stop();
});

const putTag = (path: string, tag: string, body: unknown, token = devtable) =>
  server.api('PUT', `/api/v1/repository/${path}/tag/${encodeURIComponent(tag)}`, { token, body });
const deleteTag = (path: string, tag: string, token = devtable) =>
  server.api('DELETE', `/api/v1/repository/${path}/tag/${encodeURIComponent(tag)}`, { token });
const restoreTag = (path: string, tag: string, body: unknown, token = devtable) =>
  server.api('POST', `/api/v1/repository/${path}/tag/${encodeURIComponent(tag)}/restore`, { token, body });
const activeTag = async (path: string, tag: string) =>
  (await listTags(server, devtable, path, `specificTag=${tag}&onlyActiveTags=true`)).body.tags;

describe('the tag object', () => {
  it('has the seed _tag_dict fields, in order, with Quay dates', async () => {
    const { status, body, text, headers } = await listTags(server, devtable, 'devtable/simple', 'specificTag=latest');
    expect(status).toBe(200);
    expect(headers.get('content-type')).toBe('application/json');
    expect(text.endsWith('\n')).toBe(true);
    const tag = body.tags[0];
    expect(Object.keys(tag)).toEqual([
      'name', 'reversion', 'immutable', 'start_ts', 'docker_image_id', 'image_id', 'size',
      'manifest_digest', 'manifest', 'is_manifest_list', 'last_modified',
    ]);
    expect(tag.name).toBe('latest');
    expect(tag.reversion).toBe(false);
    expect(tag.manifest_digest).toBe(fixtures.manifests.simpleLatest.digest);
    expect(tag.manifest).toEqual(JSON.parse(fixtures.manifests.simpleLatest.body));
    expect(tag.size).toBe(fixtures.manifests.simpleLatest.size);
    expect(tag.is_manifest_list).toBe(false);
    expect(tag.docker_image_id).toMatch(/^[0-9a-f]{64}$/);
    expect(tag.image_id).toBe(tag.docker_image_id);
    expect(tag.last_modified).toMatch(/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} -0000$/);
    expect(Math.abs(tag.start_ts * 1000 - Date.now())).toBeLessThan(120_000);
  });

  it('reports size null and is_manifest_list for a manifest list', async () => {
    await createRepository(server, devtable, 'devtable', 'multiarch');
    const amd = await push(server, devtable, 'devtable/multiarch', imageManifest().digest.replace('sha256:', 'x').slice(0, 0) || 'amd', imageManifest());
    const list = manifestList([amd, imageManifest()]);
    await push(server, devtable, 'devtable/multiarch', 'multi', list);
    const tag = (await listTags(server, devtable, 'devtable/multiarch', 'specificTag=multi')).body.tags[0];
    expect(tag.is_manifest_list).toBe(true);
    expect(tag.size).toBeNull();
    expect(tag.manifest.manifests).toHaveLength(2);
  });
});

describe('PUT tag expiration (test_change_tag_expiration*)', () => {
  it('accepts null and rejects a non-number with the schema message', async () => {
    expect((await putTag('devtable/simple', 'latest', { expiration: null })).status).toBe(201);
    const bad = await putTag('devtable/simple', 'latest', { expiration: 'aksdjhasd' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error_type: 'invalid_request', title: 'invalid_request', status: 400 });
    expect(bad.body.detail).toContain("'aksdjhasd' is not of type 'number', 'null'");
    expect(bad.body.type).toBe(`${server.url}/api/v1/error/invalid_request`);
  });

  it('sets end_ts to exactly the requested second, and lists it while alive', async () => {
    const [tag] = await activeTag('devtable/simple', 'latest');
    const response = await putTag('devtable/simple', 'latest', { expiration: tag.start_ts + 86400 });
    expect(response.status).toBe(201);
    expect(response.body).toBe('Updated');
    const [after] = await activeTag('devtable/simple', 'latest');
    expect(after.end_ts).toBe(tag.start_ts + 86400);
    expect(after.expiration).toMatch(/-0000$/);
  });

  it('clamps to [start + 1h, start + 104w] and keeps one week', async () => {
    const [tag] = await activeTag('devtable/simple', 'prod');
    const week = 7 * 24 * 3600;
    expect((await putTag('devtable/simple', 'prod', { expiration: tag.start_ts + 300 * week })).status).toBe(201);
    expect((await activeTag('devtable/simple', 'prod'))[0].end_ts).toBe(tag.start_ts + 104 * week);
    expect((await putTag('devtable/simple', 'prod', { expiration: tag.start_ts + week })).status).toBe(201);
    expect((await activeTag('devtable/simple', 'prod'))[0].end_ts).toBe(tag.start_ts + week);
    expect((await putTag('devtable/simple', 'prod', { expiration: Math.floor(Date.now() / 1000) + 5 })).status).toBe(201);
    expect((await activeTag('devtable/simple', 'prod'))[0].end_ts).toBe(tag.start_ts + 3600);
    expect((await putTag('devtable/simple', 'prod', { expiration: null })).status).toBe(201);
    expect((await activeTag('devtable/simple', 'prod'))[0].end_ts).toBeUndefined();
  });

  it('rejects past, huge and boolean expirations with 400, and a missing tag with 404', async () => {
    const browser = { message: 'The browser (or proxy) sent a request that this server could not understand.' };
    const past = await putTag('devtable/simple', 'prod', { expiration: 1000 });
    expect(past.status).toBe(400);
    expect(past.body).toEqual(browser);
    for (const expiration of [1e12, 1e300]) {
      const huge = await putTag('devtable/simple', 'prod', { expiration });
      expect(huge.status).toBe(400);
      expect(huge.body).toEqual(browser);
    }
    expect((await putTag('devtable/simple', 'prod', { expiration: true })).status).toBe(400);
    expect((await putTag('devtable/simple', 'nosuchtag', { expiration: null })).status).toBe(404);
    // The tag lookup comes first, as in Quay.
    expect((await putTag('devtable/simple', 'nosuchtag', { expiration: 1000 })).status).toBe(404);
  });
});

describe('PUT tag move and create (test_move_tag, test_invalid_tags)', () => {
  it('rejects invalid names with Quay message body', async () => {
    const target = { manifest_digest: fixtures.manifests.simpleLatest.digest };
    for (const name of ['-INVALID-TAG-NAME', '.INVALID-TAG-NAME', 'a'.repeat(129), '北京', '-fail', 'foo\n']) {
      const response = await putTag('devtable/simple', name, target);
      expect(response.status, name).toBe(400);
      expect(response.body).toEqual({
        message: 'Invalid tag: must match [A-Za-z0-9_.-], NOT start with "." or "-", and can contain 1-128 characters',
      });
    }
    expect((await putTag('devtable/simple', 'a'.repeat(128), target)).status).toBe(201);
  });

  it('404s an unknown digest or image, creates and moves', async () => {
    expect((await putTag('devtable/simple', 'newtag', { manifest_digest: 'unknown' })).status).toBe(404);
    expect((await putTag('devtable/simple', 'newtag', { image: 'unknown' })).status).toBe(404);
    expect((await putTag('devtable/simple', 'newtag', { manifest_digest: null })).status).toBe(404);
    expect((await putTag('devtable/simple', 'latest', { manifest_digest: fixtures.manifests.simpleLatest.digest })).status).toBe(201);
    expect((await putTag('devtable/simple', 'newtag', { manifest_digest: fixtures.manifests.simpleLatest.digest })).status).toBe(201);
    const [created] = await activeTag('devtable/simple', 'newtag');
    expect(created.manifest_digest).toBe(fixtures.manifests.simpleLatest.digest);
  });

  it('moves by legacy image id (the seed image parameter)', async () => {
    const [prod] = await activeTag('devtable/simple', 'prod');
    expect((await putTag('devtable/simple', 'byimage', { image: prod.docker_image_id })).status).toBe(201);
    expect((await activeTag('devtable/simple', 'byimage'))[0].manifest_digest).toBe(prod.manifest_digest);
  });

  it('only accepts manifests an alive tag reaches (PUT), unlike restore', async () => {
    await createRepository(server, devtable, 'devtable', 'reach');
    const first = await push(server, devtable, 'devtable/reach', 'one', imageManifest());
    await push(server, devtable, 'devtable/reach', 'one', imageManifest());
    // `first` is now referenced only by a dead range.
    expect((await putTag('devtable/reach', 'two', { manifest_digest: first.digest })).status).toBe(404);
    expect((await restoreTag('devtable/reach', 'two', { manifest_digest: first.digest })).status).toBe(200);
    expect((await putTag('devtable/reach', 'three', { manifest_digest: first.digest })).status).toBe(201);
  });

  it('accepts a child of an alive manifest list', async () => {
    await createRepository(server, devtable, 'devtable', 'children');
    const child = imageManifest();
    await push(server, devtable, 'devtable/children', child.digest, child);
    await push(server, devtable, 'devtable/children', 'multi', manifestList([child]));
    expect((await putTag('devtable/children', 'amd64', { manifest_digest: child.digest })).status).toBe(201);
  });

  it('records a new history row even when moving to the same manifest', async () => {
    const before = (await listTags(server, devtable, 'devtable/complex', 'specificTag=staging')).body.tags.length;
    const [staging] = await activeTag('devtable/complex', 'staging');
    expect((await putTag('devtable/complex', 'staging', { manifest_digest: staging.manifest_digest })).status).toBe(201);
    const after = (await listTags(server, devtable, 'devtable/complex', 'specificTag=staging')).body.tags;
    expect(after).toHaveLength(before + 1);
    expect(after[0].end_ts).toBeUndefined();
    expect(after[1].end_ts).toBe(after[0].start_ts);
  });

  it('applies an expiration sent with a target to the new range (Quay applied it to the old one)', async () => {
    const future = Math.floor(Date.now() / 1000) + 7200;
    const response = await putTag('devtable/simple', 'expiring', { manifest_digest: fixtures.manifests.simpleLatest.digest, expiration: future });
    expect(response.status).toBe(201);
    expect((await activeTag('devtable/simple', 'expiring'))[0].end_ts).toBe(future);
  });

  it('answers an empty body with 201 and changes nothing; a missing body with 400', async () => {
    expect((await putTag('devtable/simple', 'latest', {})).status).toBe(201);
    const missing = await server.api('PUT', '/api/v1/repository/devtable/simple/tag/latest', { token: devtable });
    expect(missing.status).toBe(400);
    expect(missing.body.detail).toBe('Missing JSON body');
    const broken = await server.api('PUT', '/api/v1/repository/devtable/simple/tag/latest', {
      token: devtable,
      body: '{"expiration": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(broken.status).toBe(400);
    expect(broken.body).toEqual({ message: 'The browser (or proxy) sent a request that this server could not understand.' });
  });
});

describe('list, delete, create and move (TestListAndDeleteTag)', () => {
  it('test_listdeletecreateandmovetag', async () => {
    const path = 'devtable/complex';
    expect(await activeTag(path, 'prod')).toHaveLength(1);
    const staging = await activeTag(path, 'staging');
    expect(staging).toHaveLength(1);

    const deleted = await deleteTag(path, 'prod');
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expect(await activeTag(path, 'prod')).toEqual([]);

    expect((await putTag(path, '-fail', { manifest_digest: staging[0].manifest_digest })).status).toBe(400);
    expect((await putTag(path, 'sometag', { manifest_digest: staging[0].manifest_digest })).status).toBe(201);
    expect(await activeTag(path, 'sometag')).toHaveLength(1);
    expect((await putTag(path, 'sometag', { manifest_digest: staging[0].manifest_digest })).status).toBe(201);
    expect(await activeTag(path, 'sometag')).toHaveLength(1);
  });

  it('test_deletesubtag: deleting staging leaves prod alone', async () => {
    const before = await activeTag('devtable/gargantuan', 'prod');
    expect((await deleteTag('devtable/gargantuan', 'staging')).status).toBe(204);
    expect(await activeTag('devtable/gargantuan', 'prod')).toEqual(before);
  });

  it('DELETE of a tag that is not alive is 404 (Quay [H]); the history keeps the deleted row', async () => {
    expect((await deleteTag('devtable/gargantuan', 'staging')).status).toBe(404);
    expect((await deleteTag('devtable/gargantuan', 'nosuchtag')).status).toBe(404);
    const history = (await listTags(server, devtable, 'devtable/gargantuan', 'specificTag=staging')).body.tags;
    expect(history).toHaveLength(1);
    expect(history[0].end_ts).toBeDefined();
  });

  it('test_listtag_digest', async () => {
    const { body } = await listTags(server, devtable, 'devtable/simple', 'page=1&limit=1');
    expect(body.tags).toHaveLength(1);
    expect(body.tags[0].manifest_digest).toMatch(/^sha256:/);
  });

  it('test_listtagpagination: offset pages and the next_page cursor agree', async () => {
    await createRepository(server, devtable, 'devtable', 'paged');
    const manifest = await push(server, devtable, 'devtable/paged', 'latest', imageManifest());
    await push(server, devtable, 'devtable/paged', 'prod', imageManifest());
    for (let index = 1; index <= 8; index++) {
      expect((await putTag('devtable/paged', `tag${index}`, { manifest_digest: manifest.digest })).status).toBe(201);
    }
    const page1 = (await listTags(server, devtable, 'devtable/paged', 'page=1&limit=5')).body;
    expect(page1).toMatchObject({ page: 1, has_additional: true });
    expect(page1.tags).toHaveLength(5);
    const page2 = (await listTags(server, devtable, 'devtable/paged', 'page=2&limit=5')).body;
    expect(page2).toMatchObject({ page: 2, has_additional: false });
    expect(page2.tags).toHaveLength(5);
    const names = new Set([...page1.tags, ...page2.tags].map((tag: { name: string }) => tag.name));
    expect(names).toEqual(new Set(['latest', 'prod', ...Array.from({ length: 8 }, (_, index) => `tag${index + 1}`)]));
    const page3 = (await listTags(server, devtable, 'devtable/paged', 'page=3&limit=5')).body;
    expect(page3).toEqual({ tags: [], page: 3, has_additional: false });

    // Newest start first: the tag created last leads.
    expect(page1.tags[0].name).toBe('tag8');
    const viaCursor = (await listTags(server, devtable, 'devtable/paged', `limit=5&next_page=${page1.next_page}`)).body;
    expect(viaCursor.tags.map((tag: { name: string }) => tag.name)).toEqual(page2.tags.map((tag: { name: string }) => tag.name));
    expect(viaCursor.has_additional).toBe(false);
    expect(viaCursor.next_page).toBeUndefined();
  });

  it('clamps limit and page, and rejects non-integers with reqparse bodies', async () => {
    const zero = (await listTags(server, devtable, 'devtable/paged', 'limit=0')).body;
    expect(zero.tags).toHaveLength(1);
    const big = (await listTags(server, devtable, 'devtable/paged', 'limit=1000&page=-4')).body;
    expect(big.tags).toHaveLength(10);
    expect(big.page).toBe(1);
    for (const bad of ['limit=abc', 'limit=5.0', 'limit=']) {
      const response = await listTags(server, devtable, 'devtable/paged', bad);
      expect(response.status, bad).toBe(400);
      expect(response.body).toEqual({ message: { limit: 'Limit to the number of results to return per page. Max 100.' } });
    }
  });

  it('a cursor from another listing is refused', async () => {
    const page1 = (await listTags(server, devtable, 'devtable/paged', 'limit=2')).body;
    const foreign = await listTags(server, devtable, 'devtable/gargantuan', `limit=2&next_page=${page1.next_page}`);
    expect(foreign.status).toBe(400);
    expect((await listTags(server, devtable, 'devtable/paged', 'next_page=garbage')).status).toBe(400);
  });

  it('test_list_repo_tags: the list holds the full visible history', async () => {
    const { body } = await listTags(server, devtable, 'devtable/history');
    expect(body.tags).toHaveLength(2);
    expect(body.tags[0].end_ts).toBeUndefined();
    expect(body.tags[1].end_ts).toBe(body.tags[0].start_ts);
  });

  it('filter_tag_name like: / eq: and its syntax error ([H])', async () => {
    const like = (await listTags(server, devtable, 'devtable/gargantuan', 'filter_tag_name=like:V')).body.tags;
    expect(like.map((tag: { name: string }) => tag.name).sort()).toEqual(['v2.0', 'v3.0', 'v4.0', 'v5.0', 'v6.0']);
    expect((await listTags(server, devtable, 'devtable/gargantuan', 'filter_tag_name=eq:prod')).body.tags).toHaveLength(1);
    expect((await listTags(server, devtable, 'devtable/gargantuan', 'filter_tag_name=eq:')).body.tags).toHaveLength(0);
    expect((await listTags(server, devtable, 'devtable/gargantuan', 'filter_tag_name=foo:bar')).body.tags.length).toBeGreaterThan(5);
    const bad = await listTags(server, devtable, 'devtable/gargantuan', 'filter_tag_name=random');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('Unsupported syntax for filter_tag_name');
  });

  it('onlyActiveTags uses Quay truthy parsing', async () => {
    const all = (await listTags(server, devtable, 'devtable/history', 'onlyActiveTags=false')).body.tags;
    expect(all).toHaveLength(2);
    for (const truthy of ['true', 'yes', 'no', 'off']) {
      expect((await listTags(server, devtable, 'devtable/history', `onlyActiveTags=${truthy}`)).body.tags, truthy).toHaveLength(1);
    }
  });
});

describe('restore (TestRestoreTag)', () => {
  it('404s an invalid image, digest or manifest', async () => {
    expect((await restoreTag('devtable/history', 'invalidtag', { image: 'invalid_image' })).status).toBe(404);
    expect((await restoreTag('devtable/history', 'latest', { image: 'invalid_image' })).status).toBe(404);
    expect((await restoreTag('devtable/history', 'latest', { manifest_digest: 'invalid_digest' })).status).toBe(404);
    const missing = await restoreTag('devtable/history', 'latest', {});
    expect(missing.status).toBe(400);
    expect(missing.body.detail).toBe('Missing manifest_digest');
    expect((await restoreTag('devtable/history', 'latest', { manifest_digest: null })).status).toBe(400);
  });

  it('test_restoretag by legacy image, then by digest (manifest_digest wins)', async () => {
    const before = (await listTags(server, devtable, 'devtable/history', 'tag=latest')).body.tags;
    expect(before).toHaveLength(2);
    expect(before[0].end_ts).toBeUndefined();
    const response = await restoreTag('devtable/history', 'latest', { image: before[1].docker_image_id });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({});
    const after = (await listTags(server, devtable, 'devtable/history')).body.tags;
    expect(after).toHaveLength(3);
    expect(after[0].end_ts).toBeUndefined();
    expect(after[0].reversion).toBe(true);
    expect(after[0].docker_image_id).toBe(before[1].docker_image_id);

    const again = await restoreTag('devtable/history', 'latest', { image: 'foo', manifest_digest: fixtures.manifests.historyB.digest });
    expect(again.status).toBe(200);
    const final = (await listTags(server, devtable, 'devtable/history')).body.tags;
    expect(final).toHaveLength(4);
    expect(final[0].manifest_digest).toBe(fixtures.manifests.historyB.digest);
  });

  it('restore can create a brand-new tag, marked as a reversion', async () => {
    expect((await restoreTag('devtable/history', 'resurrected', { manifest_digest: fixtures.manifests.historyA.digest })).status).toBe(200);
    const [tag] = await activeTag('devtable/history', 'resurrected');
    expect(tag).toMatchObject({ reversion: true, manifest_digest: fixtures.manifests.historyA.digest });
  });
});

describe('/images (test_list_tag_images)', () => {
  it('lists the legacy chain, leaf first, with the Deprecation header', async () => {
    for (const [path, tag] of [['devtable/simple', 'prod'], ['devtable/simple', 'latest'], ['devtable/complex', 'staging']]) {
      const response = await server.api('GET', `/api/v1/repository/${path}/tag/${tag}/images`, { token: devtable });
      expect(response.status, `${path}:${tag}`).toBe(200);
      expect(response.headers.get('deprecation')).toBe('true');
      expect(response.body.images.length).toBeGreaterThan(0);
      const [leaf] = await activeTag(path, tag);
      expect(response.body.images[0].id).toBe(leaf.docker_image_id);
    }
    expect((await server.api('GET', '/api/v1/repository/devtable/complex/tag/prod/images', { token: devtable })).status).toBe(404);
  });

  it('owned=true answers no image, as Quay 2020, in a fixed number of reads', async () => {
    await createRepository(server, devtable, 'devtable', 'owned');
    const base = imageManifest({ layerCount: 2 });
    await push(server, devtable, 'devtable/owned', 'base', base);
    const all = (await server.api('GET', '/api/v1/repository/devtable/owned/tag/base/images', { token: devtable })).body.images;
    expect(all).toHaveLength(2);
    const owned = await server.api('GET', '/api/v1/repository/devtable/owned/tag/base/images?owned=true', { token: devtable });
    expect(owned.status).toBe(200);
    expect(owned.body).toEqual({ images: [] });
    expect((await server.api('GET', '/api/v1/repository/devtable/owned/tag/nope/images?owned=true', { token: devtable })).status).toBe(404);
  });
});

describe('application repositories (test_disallow_for_apps)', () => {
  it('answer 501 on all five tag endpoints', async () => {
    const path = '/api/v1/repository/devtable/someapprepo/tag';
    const expected = { message: 'The server does not support the action requested by the browser.' };
    for (const [method, url, body] of [
      ['GET', `${path}/`, undefined],
      ['PUT', `${path}/foobar`, undefined],
      ['DELETE', `${path}/foobar`, undefined],
      ['GET', `${path}/foobar/images`, undefined],
      ['POST', `${path}/foobar/restore`, {}],
    ] as const) {
      const response = await server.api(method, url, { token: devtable, body });
      expect(response.status, `${method} ${url}`).toBe(501);
      expect(response.body).toEqual(expected);
    }
  });
});

describe('data-model cases (§8.6)', () => {
  it('deleting every alive tag leaves none alive and the history count unchanged', async () => {
    const before = (await listTags(server, devtable, 'buynlarge/orgrepo', 'limit=100')).body.tags;
    for (const tag of ['latest', 'prod']) expect((await deleteTag('buynlarge/orgrepo', tag)).status).toBe(204);
    expect((await listTags(server, devtable, 'buynlarge/orgrepo', 'onlyActiveTags=true')).body.tags).toEqual([]);
    expect((await listTags(server, devtable, 'buynlarge/orgrepo', 'limit=100')).body.tags).toHaveLength(before.length);
  });

  it('specificTag=foobar gives an empty list, never 404', async () => {
    const response = await listTags(server, devtable, 'devtable/history', 'specificTag=foobar');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ tags: [], page: 1, has_additional: false });
  });
});
