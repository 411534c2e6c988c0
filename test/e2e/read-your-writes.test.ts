/**
 * Read-your-writes over HTTP with lagging indexes: the local server's index-lag test mode hides
 * from every index query what was written in the last minute, as a global secondary index on AWS
 * may. A CI job that pushes and then promotes, lists or deletes must see its own writes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepository, listTags, push } from '../support/fixtures.js';
import { startTestServer } from '../support/local-server.js';
import type { TestServer } from '../support/local-server.js';
import { imageManifest } from '../support/manifests.js';

let server: TestServer;
let token: string;
const tagNames = (body: { tags: { name: string }[] }) => body.tags.map((tag) => tag.name);

beforeAll(async () => {
  server = await startTestServer({ streamPolling: false, indexLagMs: 60_000 });
  token = await server.tokenFor('ryw');
  await createRepository(server, token, 'ryw', 'app');
});

afterAll(async () => {
  await server?.stop();
});

describe('read-your-writes with lagging indexes', () => {
  it('the index views lag: onlyActiveTags (activeTags index) does not show a fresh push yet', async () => {
    await push(server, token, 'ryw/app', 'lagging', imageManifest());
    expect(tagNames((await listTags(server, token, 'ryw/app', 'onlyActiveTags=true')).body)).not.toContain('lagging');
  });

  it('push then promote: PUT a tag to the digest just pushed answers 201', async () => {
    const built = await push(server, token, 'ryw/app', 'ci-42', imageManifest());
    const promoted = await server.api('PUT', '/api/v1/repository/ryw/app/tag/prod', { token, body: { manifest_digest: built.digest } });
    expect(promoted.status, promoted.text).toBe(201);
    const fetched = await server.api('GET', '/v2/ryw/app/manifests/prod', { token });
    expect(fetched.headers.get('docker-content-digest')).toBe(built.digest);
  });

  it('push then list, delete then list: the history and /v2 tag list follow at once', async () => {
    await push(server, token, 'ryw/app', 'fresh', imageManifest());
    expect(tagNames((await listTags(server, token, 'ryw/app')).body)).toContain('fresh');
    expect((await server.api('GET', '/v2/ryw/app/tags/list', { token })).body.tags).toContain('fresh');
    expect((await server.api('DELETE', '/api/v1/repository/ryw/app/tag/fresh', { token })).status).toBe(204);
    const history = (await listTags(server, token, 'ryw/app', 'specificTag=fresh&onlyActiveTags=true')).body;
    expect(tagNames(history)).toEqual([]);
    expect((await server.api('GET', '/v2/ryw/app/tags/list', { token })).body.tags).not.toContain('fresh');
    const all = (await listTags(server, token, 'ryw/app')).body.tags as { name: string; end_ts?: number }[];
    expect(all.find((tag) => tag.name === 'fresh')?.end_ts).toBeDefined();
  });
});
