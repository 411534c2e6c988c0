/**
 * Extension: `GET …/tag/?at=T` lists the tags alive at an instant T (start ≤ T < end), so "what
 * did prod point at yesterday at 14:00?" is one request. The clock is moved between changes so the
 * instants are distinct seconds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepository, listTags, push } from '../support/fixtures.js';
import { startTestServer } from '../support/local-server.js';
import type { TestServer } from '../support/local-server.js';
import { imageManifest } from '../support/manifests.js';

let server: TestServer;
let token: string;
const instants: Record<string, number> = {};
const manifests = { a: imageManifest(), b: imageManifest(), c: imageManifest() };

const advance = async (seconds: number) => (await server.api('POST', '/_local/clock', { body: { advance_s: seconds } })).body.now as number;
const at = async (query: string) => (await listTags(server, token, 'pit/app', query)).body;
const names = (body: { tags: { name: string; manifest_digest: string }[] }) => body.tags.map((tag) => `${tag.name}@${tag.manifest_digest.slice(7, 11)}`);
const short = (digest: string) => digest.slice(7, 11);

beforeAll(async () => {
  server = await startTestServer({ streamPolling: false });
  token = await server.tokenFor('pit');
  await createRepository(server, token, 'pit', 'app');
  // t0: prod → a.   t1: staging → b.   t2: prod → b (a move).   t3: staging deleted.   t4: prod → c.
  await push(server, token, 'pit/app', 'prod', manifests.a);
  instants.t0 = await advance(10);
  await push(server, token, 'pit/app', 'staging', manifests.b);
  instants.t1 = await advance(10);
  await server.api('PUT', '/api/v1/repository/pit/app/tag/prod', { token, body: { manifest_digest: manifests.b.digest } });
  instants.t2 = await advance(10);
  await server.api('DELETE', '/api/v1/repository/pit/app/tag/staging', { token });
  instants.t3 = await advance(10);
  await push(server, token, 'pit/app', 'prod', manifests.c);
  instants.t4 = await advance(10);
});

afterAll(async () => {
  await server?.stop();
});

describe('?at=T', () => {
  it('answers what each tag pointed at, at each instant', async () => {
    const { a, b, c } = { a: short(manifests.a.digest), b: short(manifests.b.digest), c: short(manifests.c.digest) };
    const seconds = (name: string) => `at=${instants[name] / 1000}`;
    expect(names(await at(seconds('t0')))).toEqual([`prod@${a}`]);
    expect(names(await at(seconds('t1')))).toEqual([`staging@${b}`, `prod@${a}`]);
    expect(names(await at(seconds('t2')))).toEqual([`prod@${b}`, `staging@${b}`]);
    expect(names(await at(seconds('t3')))).toEqual([`prod@${b}`]);
    expect(names(await at(seconds('t4')))).toEqual([`prod@${c}`]);
    // ISO-8601 works too, and an instant before the first push lists nothing.
    expect(names(await at(`at=${new Date(instants.t2).toISOString()}`))).toEqual([`prod@${b}`, `staging@${b}`]);
    expect((await at(`at=${(instants.t0 - 60_000) / 1000}`)).tags).toEqual([]);
  });

  it('combines with specificTag, filter_tag_name and page/limit', async () => {
    const b = short(manifests.b.digest);
    expect(names(await at(`at=${instants.t2 / 1000}&specificTag=staging`))).toEqual([`staging@${b}`]);
    expect(names(await at(`at=${instants.t3 / 1000}&specificTag=staging`))).toEqual([]);
    expect(names(await at(`at=${instants.t2 / 1000}&filter_tag_name=like:PRO`))).toEqual([`prod@${b}`]);
    const first = await at(`at=${instants.t2 / 1000}&limit=1`);
    expect(first.tags).toHaveLength(1);
    expect(first.has_additional).toBe(true);
    const second = await at(`at=${instants.t2 / 1000}&limit=1&page=2`);
    expect(second).toMatchObject({ page: 2, has_additional: false });
    // The rows are the ranges themselves: the moved prod range shows when it ended.
    expect(first.tags[0].end_ts).toBe(Math.floor((instants.t4 - 10_000) / 1000));
  });

  it('rejects instants it cannot read', async () => {
    for (const bad of ['yesterday', '-5', '1e99', '99999999999999']) {
      const response = await listTags(server, token, 'pit/app', `at=${bad}`);
      expect(response.status, bad).toBe(400);
      expect(response.body).toEqual({ message: { at: 'An instant between 1970 and 2286: epoch seconds or an ISO-8601 date-time.' } });
    }
  });
});
