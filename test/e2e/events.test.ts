/**
 * Tag events end to end: every kind of tag change (API create, move, expiration change, delete,
 * restore, /v2 push, sweep expiry) is published exactly once to the local event bus, as an
 * EventBridge entry whose detail validates against docs/tag-event.schema.json.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepository, push } from '../support/fixtures.js';
import { startTestServer, type TestServer } from '../support/local-server.js';
import { imageManifest } from '../support/manifests.js';

const schema = JSON.parse(readFileSync(new URL('../../docs/tag-event.schema.json', import.meta.url), 'utf8'));
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

let server: TestServer;
let token: string;

beforeAll(async () => {
  server = await startTestServer();
  token = await server.tokenFor('eve');
  await createRepository(server, token, 'eve', 'app');
});

afterAll(async () => {
  await server?.stop();
});

interface Entry {
  Source: string;
  DetailType: string;
  EventBusName: string;
  Detail: Record<string, any>;
}

async function publishedEvents(): Promise<Entry[]> {
  expect((await server.api('POST', '/_local/events/flush')).status).toBe(200);
  const response = await server.api('GET', '/_local/events');
  expect(response.status).toBe(200);
  return response.body.events;
}

const tagPath = (tag: string) => `/api/v1/repository/eve/app/tag/${tag}`;

describe('tag events on the local bus', () => {
  it('publishes every tag change exactly once, in the documented shape', async () => {
    const first = await push(server, token, 'eve/app', 'v1', imageManifest());
    await push(server, token, 'eve/app', 'keep', first);
    const second = await push(server, token, 'eve/app', 'v1', imageManifest());
    expect((await server.api('PUT', tagPath('latest'), { token, body: { manifest_digest: first.digest } })).status).toBe(201);
    expect((await server.api('PUT', tagPath('latest'), { token, body: { manifest_digest: second.digest } })).status).toBe(201);
    const startTs = Math.floor((await server.api('POST', '/_local/clock', { body: { advance_s: 1 } })).body.now / 1000);
    expect((await server.api('PUT', tagPath('latest'), { token, body: { expiration: startTs + 7200 } })).status).toBe(201);
    expect((await server.api('DELETE', tagPath('v1'), { token })).status).toBe(204);
    expect((await server.api('POST', `${tagPath('v1')}/restore`, { token, body: { manifest_digest: first.digest } })).status).toBe(200);
    // A push by digest changes no tag: no event.
    const untagged = imageManifest();
    await push(server, token, 'eve/app', untagged.digest, untagged);
    await server.api('POST', '/_local/clock', { body: { advance_s: 7300 } });
    expect((await server.api('POST', '/_local/sweep')).body.expired).toBe(1);

    const events = await publishedEvents();
    for (const entry of events) {
      expect(entry.Source).toBe('tag-service');
      expect(entry.DetailType).toBe('Tag Change');
      expect(entry.EventBusName).toBeTruthy();
      expect(validate(entry.Detail), JSON.stringify(validate.errors)).toBe(true);
    }
    const summary = events.map((entry) => [entry.Detail.event, entry.Detail.tag, entry.Detail.manifest_digest, entry.Detail.previous_manifest_digest]);
    expect(summary).toEqual([
      ['tag_created', 'v1', first.digest, null],
      ['tag_created', 'keep', first.digest, null],
      ['tag_moved', 'v1', second.digest, first.digest],
      ['tag_created', 'latest', first.digest, null],
      ['tag_moved', 'latest', second.digest, first.digest],
      ['tag_expiration_changed', 'latest', second.digest, null],
      ['tag_deleted', 'v1', second.digest, null],
      ['tag_restored', 'v1', first.digest, null],
      ['tag_expired', 'latest', second.digest, null],
    ]);
    // One event per change: distinct ids.
    expect(new Set(events.map((entry) => entry.Detail.id)).size).toBe(events.length);
    const byEvent = Object.fromEntries(events.map((entry) => [entry.Detail.event, entry.Detail]));
    expect(byEvent.tag_created).toMatchObject({ repository: 'eve/app', namespace: 'eve', name: 'app', performer: { name: 'eve', is_robot: false } });
    expect(byEvent.tag_expired.performer).toBeNull();
    expect(events[5].Detail.expiration_ts).toBeGreaterThan(startTs);

    // Nothing new: a second flush publishes nothing more.
    expect(await publishedEvents()).toHaveLength(events.length);
  });
});
