/**
 * Round trips in a row per request (issue 17): the authorization facts are read alongside the data
 * whose keys the path gives, so a request waits for fewer DynamoDB answers one after another. Counts
 * come from the store client's counter (shared/store/client.ts `usage`), not from timings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetUsage, usage } from '../../shared/store/client.js';
import { createRepository, listTags, push } from '../support/fixtures.js';
import { startTestServer } from '../support/local-server.js';
import type { TestServer } from '../support/local-server.js';
import { imageManifest } from '../support/manifests.js';
import type { BuiltManifest } from '../support/manifests.js';

let server: TestServer;
let token: string;
let first: BuiltManifest;
let second: BuiltManifest;
let secondImageId: string;
const repo = '/api/v1/repository/trips/app';

beforeAll(async () => {
  // No stream poller: its audit writes would share the counter.
  server = await startTestServer({ streamPolling: false });
  token = await server.tokenFor('trips');
  await createRepository(server, token, 'trips', 'app');
  first = await push(server, token, 'trips/app', 'latest', imageManifest());
  second = await push(server, token, 'trips/app', 'other', imageManifest());
  const listed = await listTags(server, token, 'trips/app', 'specificTag=other');
  secondImageId = listed.body.tags[0].image_id;
});

afterAll(async () => {
  await server?.stop();
});

/** Runs one request and returns its status with the round trips it made (total, in a row). */
async function counted(method: string, path: string, options: { token?: string; body?: unknown } = {}) {
  resetUsage();
  const response = await server.api(method, path, options);
  return { status: response.status, total: usage.roundTrips, inRow: usage.sequential, commands: { ...usage.byCommand } };
}

describe('round trips in a row', () => {
  it('GET /v2 manifest: 1 by digest, 2 by tag', async () => {
    expect(await counted('GET', `/v2/trips/app/manifests/${first.digest}`, { token })).toMatchObject({ status: 200, inRow: 1 });
    expect(await counted('GET', '/v2/trips/app/manifests/latest', { token })).toMatchObject({ status: 200, inRow: 2 });
    expect(await counted('HEAD', '/v2/trips/app/manifests/latest', { token })).toMatchObject({ status: 200, inRow: 2 });
  });

  it('GET …/tag/: 2 (the first page of ranges beside the authorization, then its manifests)', async () => {
    expect(await counted('GET', `${repo}/tag/`, { token })).toMatchObject({ status: 200, inRow: 2 });
    expect(await counted('GET', `${repo}/tag/?specificTag=latest`, { token })).toMatchObject({ status: 200, inRow: 2 });
  });

  it('a refused caller makes the listing read no manifests', async () => {
    const refused = await counted('GET', `${repo}/tag/`);
    expect(refused.status).toBe(401);
    // The authorization BatchGetItem only: the page's manifests wait for the decision.
    expect(refused.commands.BatchGetItemCommand).toBe(1);
  });

  it('DELETE and a PUT of the expiration: 1 + the transaction', async () => {
    await server.api('PUT', `${repo}/tag/short`, { token, body: { manifest_digest: first.digest } });
    const expiration = Math.floor(Date.now() / 1000) + 7200;
    expect(await counted('PUT', `${repo}/tag/short`, { token, body: { expiration } })).toMatchObject({ status: 201, inRow: 2 });
    expect(await counted('DELETE', `${repo}/tag/short`, { token })).toMatchObject({ status: 204, inRow: 2 });
  });

  it('PUT move and restore: 2 + the transaction, by digest and by legacy image id', async () => {
    for (const body of [{ manifest_digest: second.digest }, { manifest_digest: first.digest }, { image: secondImageId }]) {
      const moved = await counted('PUT', `${repo}/tag/moving`, { token, body });
      expect(moved.status).toBe(201);
      expect(moved.inRow).toBeLessThanOrEqual(3);
      expect(moved.commands.TransactWriteItemsCommand).toBe(1);
    }
    for (const body of [{ manifest_digest: first.digest }, { image: secondImageId }]) {
      const restored = await counted('POST', `${repo}/tag/moving/restore`, { token, body });
      expect(restored.status).toBe(200);
      expect(restored.inRow).toBeLessThanOrEqual(3);
      expect(restored.commands.TransactWriteItemsCommand).toBe(1);
    }
    const fetched = await server.api('GET', '/v2/trips/app/manifests/moving', { token });
    expect(fetched.headers.get('docker-content-digest')).toBe(second.digest);
  });
});
