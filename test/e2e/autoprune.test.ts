/**
 * Auto-prune end to end over HTTP: Quay's policy routes (bodies, views, validation order and
 * messages, duplicates, status codes, audit), our fixes (positive values, compiled patterns, uuids
 * scoped to their namespace and repository), the sweep applying them in Quay's order, the preview
 * agreeing with the run, the run log and undo. The clock hook moves time; the sweep hook runs it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepository, grant, listTags, push } from '../support/fixtures.js';
import { startTestServer } from '../support/local-server.js';
import type { TestServer } from '../support/local-server.js';
import { imageManifest } from '../support/manifests.js';

let server: TestServer;
let owner: string;
let writer: string;
let stranger: string;

beforeAll(async () => {
  server = await startTestServer();
  owner = await server.tokenFor('pruner');
  writer = await server.tokenFor('prunewriter');
  stranger = await server.tokenFor('prunestranger');
  expect((await server.api('POST', '/api/v1/organization/', { token: owner, body: { name: 'pruneorg' } })).status).toBe(201);
});

afterAll(async () => {
  await server?.stop();
});

const repoPath = (path: string) => `/api/v1/repository/${path}`;
const sweep = async () => {
  const response = await server.api('POST', '/_local/sweep');
  expect(response.status).toBe(200);
  return response.body;
};
const advance = async (seconds: number) => expect((await server.api('POST', '/_local/clock', { body: { advance_s: seconds } })).status).toBe(200);
const aliveNames = async (path: string) =>
  ((await listTags(server, owner, path, 'onlyActiveTags=true')).body.tags as { name: string }[]).map((tag) => tag.name).sort();
const createPolicy = async (base: string, body: unknown, token = owner) => {
  const response = await server.api('POST', `${base}/autoprunepolicy/`, { token, body });
  expect(response.status, response.text).toBe(201);
  return response.body.uuid as string;
};
async function seed(path: string, tags: string[]) {
  const [namespace, name] = path.split('/');
  await createRepository(server, owner, namespace, name);
  // Distinct starts, oldest first (the local clock runs in real time; each push is its own instant).
  for (const tag of tags) await push(server, owner, path, tag, imageManifest());
}

describe('policy routes (Quay)', () => {
  it('create, list, get, update, delete with Quay status codes and views', async () => {
    await seed('pruner/crud', ['a']);
    const base = repoPath('pruner/crud');
    const uuid = await createPolicy(base, { method: 'number_of_tags', value: 5 });
    expect((await server.api('GET', `${base}/autoprunepolicy/`, { token: owner })).body).toEqual({
      policies: [{ uuid, method: 'number_of_tags', value: 5, tagPattern: null, tagPatternMatches: true }],
    });
    const updated = await server.api('PUT', `${base}/autoprunepolicy/${uuid}`, { token: owner, body: { method: 'creation_date', value: '2w', tagPattern: ' ^dev-.* ', tagPatternMatches: false } });
    expect(updated.status).toBe(204);
    expect(updated.text).toBe('');
    expect((await server.api('GET', `${base}/autoprunepolicy/${uuid}`, { token: owner })).body).toEqual({
      uuid, method: 'creation_date', value: '2w', tagPattern: '^dev-.*', tagPatternMatches: false,
    });
    const deleted = await server.api('DELETE', `${base}/autoprunepolicy/${uuid}`, { token: owner });
    expect([deleted.status, deleted.body]).toEqual([200, { uuid }]);
    expect((await server.api('GET', `${base}/autoprunepolicy/${uuid}`, { token: owner })).status).toBe(404);
    expect((await server.api('DELETE', `${base}/autoprunepolicy/${uuid}`, { token: owner })).status).toBe(404);
  });

  it('validates in Quay order with Quay messages, and refuses what Quay let through', async () => {
    await seed('pruner/valid', []);
    const base = repoPath('pruner/valid');
    const cases: [unknown, string][] = [
      [{ method: 'keep', value: 3 }, 'Invalid method provided'],
      [{ method: 'number_of_tags', value: '10' }, 'Invalid value given for method type'],
      [{ method: 'number_of_tags', value: 0 }, 'Invalid value given for method type'],
      [{ method: 'number_of_tags', value: -3 }, 'Invalid value given for method type'],
      [{ method: 'creation_date', value: '5' }, 'Invalid value given for method type'],
      [{ method: 'creation_date', value: '5D' }, 'Invalid value given for method type'],
      [{ method: 'creation_date', value: '0d' }, 'Invalid value given for method type'],
      [{ method: 'creation_date', value: '-1d' }, 'Invalid value given for method type'],
      [{ method: 'creation_date', value: 7 }, 'Invalid value given for method type'],
      [{ method: 'creation_date', value: '2w', tagPattern: '   ' }, 'tag_pattern cannot be empty'],
    ];
    for (const [body, message] of cases) {
      const response = await server.api('POST', `${base}/autoprunepolicy/`, { token: owner, body });
      expect([response.status, response.body.error_message], JSON.stringify(body)).toEqual([400, message]);
    }
    const broken = await server.api('POST', `${base}/autoprunepolicy/`, { token: owner, body: { method: 'creation_date', value: '1d', tagPattern: '(' } });
    expect(broken.status).toBe(400);
    expect(broken.body.error_message).toMatch(/^Invalid regex pattern: /);
    const schema = await server.api('POST', `${base}/autoprunepolicy/`, { token: owner, body: { method: 'number_of_tags' } });
    expect([schema.status, schema.body.error_message]).toEqual([400, "'value' is a required property"]);
    expect((await server.api('POST', `${base}/autoprunepolicy/`, { token: owner, body: { method: 'number_of_tags', value: true } })).status).toBe(400);
    // Nothing was stored by any refusal.
    expect((await server.api('GET', `${base}/autoprunepolicy/`, { token: owner })).body.policies).toEqual([]);
    for (const value of ['90m', '1y', '12h', '30s']) await createPolicy(base, { method: 'creation_date', value });
  });

  it('refuses exact duplicates only, per scope', async () => {
    await seed('pruner/dupes', []);
    const base = repoPath('pruner/dupes');
    await createPolicy(base, { method: 'number_of_tags', value: 3, tagPattern: 'v.*' });
    const again = await server.api('POST', `${base}/autoprunepolicy/`, { token: owner, body: { method: 'number_of_tags', value: 3, tagPattern: 'v.*', tagPatternMatches: true } });
    expect([again.status, again.body.error_message]).toEqual([400, 'Existing policy with same values for this repository, duplicate policies are not permitted']);
    await createPolicy(base, { method: 'number_of_tags', value: 3, tagPattern: 'v.*', tagPatternMatches: false });
    const org = '/api/v1/organization/pruneorg';
    await createPolicy(org, { method: 'creation_date', value: '52w' });
    const orgAgain = await server.api('POST', `${org}/autoprunepolicy/`, { token: owner, body: { method: 'creation_date', value: '52w' } });
    expect(orgAgain.body.error_message).toBe('Existing policy with same values for this namespace, duplicate policies are not permitted');
  });

  it('scopes every uuid to its namespace and repository', async () => {
    await seed('pruner/one', []);
    await seed('pruner/two', []);
    const uuid = await createPolicy(repoPath('pruner/one'), { method: 'number_of_tags', value: 9 });
    for (const method of ['GET', 'PUT', 'DELETE'] as const) {
      const response = await server.api(method, `${repoPath('pruner/two')}/autoprunepolicy/${uuid}`, { token: owner, body: method === 'PUT' ? { method: 'number_of_tags', value: 1 } : undefined });
      expect(response.status, method).toBe(404);
      expect((await server.api(method, `/api/v1/user/autoprunepolicy/${uuid}`, { token: owner, body: method === 'PUT' ? { method: 'number_of_tags', value: 1 } : undefined })).status).toBe(404);
    }
    expect((await server.api('GET', `${repoPath('pruner/one')}/autoprunepolicy/${uuid}`, { token: owner })).body.value).toBe(9);
    expect((await server.api('GET', `${repoPath('pruner/one')}/autoprunepolicy/not-a-uuid`, { token: owner })).status).toBe(404);
  });

  it('user routes act on the caller’s own namespace; permissions are Quay’s', async () => {
    const uuid = await createPolicy('/api/v1/user', { method: 'number_of_tags', value: 50 });
    expect((await server.api('GET', '/api/v1/user/autoprunepolicy/', { token: owner })).body.policies.map((p: { uuid: string }) => p.uuid)).toEqual([uuid]);
    // The same namespace through the organization route (every user administers their own name).
    expect((await server.api('GET', `/api/v1/organization/pruner/autoprunepolicy/${uuid}`, { token: owner })).status).toBe(200);
    expect((await server.api('GET', '/api/v1/user/autoprunepolicy/', { token: stranger })).body.policies).toEqual([]);
    expect((await server.api('GET', '/api/v1/user/autoprunepolicy/')).status).toBe(401);
    expect((await server.api('GET', '/api/v1/organization/pruneorg/autoprunepolicy/', { token: stranger })).status).toBe(403);
    expect((await server.api('GET', '/api/v1/organization/nosuchorg/autoprunepolicy/', { token: owner })).status).toBe(403);
    await seed('pruner/perm', []);
    await grant(server, owner, 'pruner/perm', 'prunewriter', 'write');
    for (const [method, path] of [
      ['GET', 'autoprunepolicy/'], ['POST', 'autoprunepolicy/'], ['POST', 'autoprune/preview'], ['GET', 'autoprune/runs'],
    ] as const) {
      expect((await server.api(method, `${repoPath('pruner/perm')}/${path}`, { token: writer, body: method === 'POST' ? {} : undefined })).status).toBe(403);
      expect((await server.api(method, `${repoPath('pruner/perm')}/${path}`, { body: method === 'POST' ? {} : undefined })).status).toBe(401);
    }
    expect((await server.api('GET', `${repoPath('pruner/missing')}/autoprunepolicy/`, { token: owner })).status).toBe(404);
    expect((await server.api('POST', `${repoPath('pruner/missing')}/autoprunepolicy/`, { token: owner, body: { method: 'number_of_tags', value: 1 } })).status).toBe(404);
  });

  it('audits policy changes with Quay kinds and metadata', async () => {
    await seed('pruner/audited', []);
    const base = repoPath('pruner/audited');
    const uuid = await createPolicy(base, { method: 'number_of_tags', value: 4, tagPattern: 'x' });
    await server.api('DELETE', `${base}/autoprunepolicy/${uuid}`, { token: owner });
    expect((await server.api('POST', '/_local/audit/flush')).status).toBe(200);
    const entries = (await server.api('GET', `${base}/logs`, { token: owner })).body.logs as { kind: string; metadata: unknown }[];
    expect(entries.find((entry) => entry.kind === 'create_repository_autoprune_policy')?.metadata).toEqual({
      method: 'number_of_tags', value: 4, tag_pattern: 'x', tag_pattern_matches: true, namespace: 'pruner', repo: 'audited',
    });
    expect(entries.find((entry) => entry.kind === 'delete_repository_autoprune_policy')?.metadata).toEqual({ policy_uuid: uuid, namespace: 'pruner', repo: 'audited' });
  });
});

describe('the sweep, the preview, the run log and undo', () => {
  it('walk-through: preview = run, the run is logged and audited, undo restores', async () => {
    await seed('pruner/walk', ['v1', 'v2', 'v3', 'v4', 'keep-me']);
    const base = repoPath('pruner/walk');
    const uuid = await createPolicy(base, { method: 'number_of_tags', value: 2, tagPattern: 'v[0-9]+' });

    const trial = await server.api('POST', `${base}/autoprune/preview`, { token: owner, body: { policies: [{ method: 'number_of_tags', value: 1 }] } });
    expect(trial.status).toBe(200);
    expect(trial.body.tags.filter((tag: { decision: string }) => tag.decision === 'prune')).toHaveLength(4);
    const preview = await server.api('POST', `${base}/autoprune/preview`, { token: owner });
    expect(preview.status).toBe(200);
    const byName = Object.fromEntries(preview.body.tags.map((tag: { name: string }) => [tag.name, tag]));
    expect(Object.keys(byName).sort()).toEqual(['keep-me', 'v1', 'v2', 'v3', 'v4']);
    expect(byName.v1).toMatchObject({ decision: 'prune', policy_uuid: uuid });
    expect(byName.v2).toMatchObject({ decision: 'prune', policy_uuid: uuid });
    for (const kept of ['v3', 'v4', 'keep-me']) expect(byName[kept]).toMatchObject({ decision: 'keep', policy_uuid: null });
    // The preview wrote nothing.
    expect(await aliveNames('pruner/walk')).toEqual(['keep-me', 'v1', 'v2', 'v3', 'v4']);

    expect((await sweep()).pruned_tags).toBeGreaterThanOrEqual(2);
    expect(await aliveNames('pruner/walk')).toEqual(['keep-me', 'v3', 'v4']);
    // Kept in history, as an ordinary delete.
    expect((await listTags(server, owner, 'pruner/walk', 'specificTag=v1')).body.tags[0].end_ts).toBeTypeOf('number');

    const runs = (await server.api('GET', `${base}/autoprune/runs`, { token: owner })).body.runs;
    expect(runs).toHaveLength(1);
    expect(runs[0].pruned.map((entry: { tag: string }) => entry.tag).sort()).toEqual(['v1', 'v2']);
    expect(runs[0].pruned[0]).toMatchObject({ policy_uuid: uuid, manifest_digest: byName[runs[0].pruned[0].tag].manifest_digest });

    expect((await server.api('POST', '/_local/audit/flush')).status).toBe(200);
    const logs = (await server.api('GET', `${base}/logs`, { token: owner })).body.logs as { kind: string; metadata: Record<string, unknown>; performer: unknown }[];
    const pruned = logs.filter((entry) => entry.kind === 'autoprune_tag_delete');
    expect(pruned).toHaveLength(2);
    expect(pruned[0].metadata).toMatchObject({ performer: 'autoprune worker', namespace: 'pruner', repo: 'walk', operation_id: runs[0].operation_id });
    expect(pruned[0].performer ?? null).toBeNull();

    // Someone reuses v2 before the undo: only v1 comes back.
    await push(server, owner, 'pruner/walk', 'v2', imageManifest());
    const undo = await server.api('POST', `${base}/autoprune/runs/${runs[0].operation_id}/undo`, { token: owner });
    expect(undo.status).toBe(200);
    expect(undo.body).toEqual({ restored: ['v1'], skipped: [{ tag: 'v2', reason: 'the tag name has been used since the prune' }] });
    expect((await listTags(server, owner, 'pruner/walk', 'specificTag=v1&onlyActiveTags=true')).body.tags[0].manifest_digest).toBe(byName.v1.manifest_digest);
    expect((await server.api('POST', `${base}/autoprune/runs/0000000000000-00000000-0000-0000-0000-000000000000/undo`, { token: owner })).status).toBe(404);
    expect((await server.api('POST', `${base}/autoprune/runs/nonsense/undo`, { token: owner })).status).toBe(404);
    expect((await server.api('POST', '/_local/audit/flush')).status).toBe(200);
    const after = (await server.api('GET', `${base}/logs`, { token: owner })).body.logs as { kind: string; metadata: Record<string, unknown> }[];
    expect(after.find((entry) => entry.kind === 'revert_tag')?.metadata).toMatchObject({ tag: 'v1', operation_id: runs[0].operation_id });
  });

  it('creation_date prunes by age (clock moved), before count policies; a namespace policy reaches every repository', async () => {
    await seed('pruneorg/old', ['a', 'b']);
    await seed('pruneorg/other', ['c']);
    await advance(3 * 3600);
    await push(server, owner, 'pruneorg/old', 'fresh', imageManifest());
    // The organization already has a 52w policy (dupes test); add an age policy for everything.
    await createPolicy('/api/v1/organization/pruneorg', { method: 'creation_date', value: '2h' });
    await createPolicy(repoPath('pruneorg/old'), { method: 'number_of_tags', value: 1 });
    const preview = await server.api('POST', `${repoPath('pruneorg/old')}/autoprune/preview`, { token: owner });
    const decided = Object.fromEntries(preview.body.tags.map((tag: { name: string; decision: string; reason: string }) => [tag.name, tag.decision]));
    expect(decided).toEqual({ a: 'prune', b: 'prune', fresh: 'keep' });
    await sweep();
    expect(await aliveNames('pruneorg/old')).toEqual(['fresh']);
    expect(await aliveNames('pruneorg/other')).toEqual([]);
    // Not due again until the interval passed: a new tag survives the next sweep.
    await push(server, owner, 'pruneorg/other', 'new', imageManifest());
    await sweep();
    expect(await aliveNames('pruneorg/other')).toEqual(['new']);
  });
});

describe('tag protection explains retention', () => {
  it('GET …/tag/{tag}/protection names the policy that would prune the tag at the next run, as the preview does', async () => {
    await seed('pruner/explain', ['old', 'mid', 'new']);
    const base = repoPath('pruner/explain');
    const uuid = await createPolicy(base, { method: 'number_of_tags', value: 2 });
    const preview = await server.api('POST', `${base}/autoprune/preview`, { token: owner });
    const pruned = (preview.body.tags as { name: string; decision: string; reason: string }[]).find((tag) => tag.decision === 'prune')!;
    expect(pruned.name).toBe('old');
    const old = await server.api('GET', `${base}/tag/old/protection`, { token: owner });
    expect(old.status).toBe(200);
    expect(old.body.prune).toEqual({ policy_uuid: uuid, method: 'number_of_tags', reason: pruned.reason });
    expect((await server.api('GET', `${base}/tag/new/protection`, { token: owner })).body.prune).toBeNull();
  });
});
