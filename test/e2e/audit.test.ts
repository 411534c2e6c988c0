/**
 * The audit trail end to end: each mutation writes its change in its own transaction, the stream
 * poller feeds the audit consumer, and the logs API returns exactly one entry per change with
 * Quay's kinds and metadata (quay-tag-api.md §6).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepository, grant, listTags, push } from '../support/fixtures.js';
import { startTestServer } from '../support/local-server.js';
import type { TestServer } from '../support/local-server.js';
import { imageManifest } from '../support/manifests.js';

let server: TestServer;
let owner: string;

beforeAll(async () => {
  server = await startTestServer();
  owner = await server.tokenFor('auditor');
});

afterAll(async () => {
  await server?.stop();
});

async function logs(path: string, query = '', token = owner) {
  expect((await server.api('POST', '/_local/audit/flush')).status).toBe(200);
  return server.api('GET', `${path}${query ? `?${query}` : ''}`, { token });
}

describe('repository logs', () => {
  it('records every tag mutation once, newest first, with Quay metadata', async () => {
    await createRepository(server, owner, 'auditor', 'repo');
    const first = await push(server, owner, 'auditor/repo', 'latest', imageManifest());
    const second = await push(server, owner, 'auditor/repo', 'other', imageManifest());
    const tag = (path: string) => `/api/v1/repository/auditor/repo/tag/${path}`;
    expect((await server.api('PUT', tag('v1'), { token: owner, body: { manifest_digest: first.digest } })).status).toBe(201);
    expect((await server.api('PUT', tag('v1'), { token: owner, body: { manifest_digest: second.digest } })).status).toBe(201);
    const [v1] = (await listTags(server, owner, 'auditor/repo', 'specificTag=v1&onlyActiveTags=true')).body.tags;
    expect((await server.api('PUT', tag('v1'), { token: owner, body: { expiration: v1.start_ts + 7200 } })).status).toBe(201);
    expect((await server.api('POST', tag('v1/restore'), { token: owner, body: { manifest_digest: first.digest } })).status).toBe(200);
    expect((await server.api('DELETE', tag('v1'), { token: owner })).status).toBe(204);

    const response = await logs('/api/v1/repository/auditor/repo/logs');
    expect(response.status).toBe(200);
    const entries = response.body.logs;
    expect(entries.map((entry: { kind: string }) => entry.kind)).toEqual([
      'delete_tag', 'revert_tag', 'change_tag_expiration', 'move_tag', 'create_tag', 'push_repo', 'push_repo', 'create_repo',
    ]);
    const byKind = (kind: string) => entries.find((entry: { kind: string }) => entry.kind === kind);
    expect(byKind('create_tag').metadata).toEqual({
      username: 'auditor', repo: 'repo', tag: 'v1', namespace: 'auditor', image: null,
      manifest_digest: first.digest, original_manifest_digest: null,
    });
    expect(byKind('move_tag').metadata).toMatchObject({ manifest_digest: second.digest, original_manifest_digest: first.digest });
    expect(byKind('change_tag_expiration').metadata).toEqual({
      username: 'auditor', repo: 'repo', tag: 'v1', namespace: 'auditor', expiration_date: v1.start_ts + 7200, old_expiration_date: null,
    });
    expect(byKind('revert_tag').metadata).toEqual({ username: 'auditor', repo: 'repo', tag: 'v1', manifest_digest: first.digest, image: null });
    expect(byKind('delete_tag').metadata).toEqual({ username: 'auditor', repo: 'repo', namespace: 'auditor', tag: 'v1' });
    for (const entry of entries) {
      expect(entry.performer).toEqual({ kind: 'user', name: 'auditor', is_robot: false });
      expect(entry.ip).toBe('127.0.0.1');
      expect(entry.datetime).toMatch(/-0000$/);
    }
    expect(response.body.start_time).toMatch(/-0000$/);
    expect(response.body.next_page).toBeUndefined();
  });

  it('pages by 20 with next_page, filters by window, and is for repository admins only', async () => {
    await createRepository(server, owner, 'auditor', 'busy');
    const manifest = await push(server, owner, 'auditor/busy', 'latest', imageManifest());
    for (let index = 0; index < 24; index++) {
      await server.api('PUT', `/api/v1/repository/auditor/busy/tag/t${index}`, { token: owner, body: { manifest_digest: manifest.digest } });
    }
    const page1 = await logs('/api/v1/repository/auditor/busy/logs');
    expect(page1.body.logs).toHaveLength(20);
    expect(page1.body.next_page).toBeTruthy();
    const page2 = await logs('/api/v1/repository/auditor/busy/logs', `next_page=${page1.body.next_page}`);
    expect(page2.body.logs).toHaveLength(6);
    expect(page2.body.next_page).toBeUndefined();

    const past = await logs('/api/v1/repository/auditor/busy/logs', 'starttime=01/01/2001&endtime=01/02/2001');
    expect(past.body.logs).toEqual([]);
    const iso = await logs('/api/v1/repository/auditor/busy/logs', `starttime=${new Date(Date.now() - 3_600_000).toISOString()}`);
    expect(iso.body.logs).toHaveLength(20);
    expect((await logs('/api/v1/repository/auditor/busy/logs', 'starttime=yesterday')).status).toBe(400);
    expect((await logs('/api/v1/repository/auditor/busy/logs', 'starttime=02/02/2020&endtime=01/01/2020')).status).toBe(400);

    await grant(server, owner, 'auditor/busy', 'writer', 'write');
    const writer = await server.tokenFor('writer');
    expect((await logs('/api/v1/repository/auditor/busy/logs', '', writer)).status).toBe(403);
    expect((await server.api('GET', '/api/v1/repository/auditor/busy/logs')).status).toBe(401);
  });
});

describe('namespace logs', () => {
  it('organization logs include org and repository changes; user logs the own namespace', async () => {
    expect((await server.api('POST', '/api/v1/organization/', { token: owner, body: { name: 'auditorg' } })).status).toBe(201);
    expect((await server.api('PUT', '/api/v1/organization/auditorg', { token: owner, body: { tag_expiration_s: 604800 } })).status).toBe(200);
    await createRepository(server, owner, 'auditorg', 'svc');
    await server.api('POST', '/api/v1/repository/auditorg/svc/changevisibility', { token: owner, body: { visibility: 'public' } });
    await grant(server, owner, 'auditorg/svc', 'someone', 'read');
    await server.api('DELETE', '/api/v1/repository/auditorg/svc/permissions/user/someone', { token: owner });

    const org = await logs('/api/v1/organization/auditorg/logs');
    expect(org.status).toBe(200);
    expect(org.body.logs.map((entry: { kind: string }) => entry.kind)).toEqual([
      'delete_repo_permission', 'change_repo_permission', 'change_repo_visibility', 'create_repo', 'org_change_tag_expiration', 'org_create',
    ]);
    expect(org.body.logs[4].metadata).toEqual({ tag_expiration: 604800, namespace: 'auditorg' });
    expect(org.body.namespace).toMatchObject({ kind: 'org', name: 'auditorg' });
    const stranger = await server.tokenFor('stranger');
    expect((await logs('/api/v1/organization/auditorg/logs', '', stranger)).status).toBe(403);

    await server.api('PUT', '/api/v1/user/', { token: owner, body: { tag_expiration_s: 86400 } });
    const user = await logs('/api/v1/user/logs');
    expect(user.body.logs[0]).toMatchObject({ kind: 'user_change_tag_expiration', metadata: { tag_expiration: 86400 } });
    expect(user.body.logs.length).toBeGreaterThan(5);
  });

  it('the sweep records tag_expired with no performer', async () => {
    await createRepository(server, owner, 'auditor', 'expiring');
    const manifest = await push(server, owner, 'auditor/expiring', 'soon', imageManifest());
    const [tag] = (await listTags(server, owner, 'auditor/expiring', 'specificTag=soon')).body.tags;
    await server.api('PUT', '/api/v1/repository/auditor/expiring/tag/soon', { token: owner, body: { expiration: tag.start_ts + 3600 } });
    await server.api('POST', '/_local/clock', { body: { advance_s: 3601 } });
    expect((await server.api('POST', '/_local/sweep')).body.expired).toBe(1);
    const entries = (await logs('/api/v1/repository/auditor/expiring/logs', 'endtime=12/31/2099')).body.logs;
    expect(entries[0]).toEqual({
      kind: 'tag_expired',
      ip: null,
      datetime: expect.any(String),
      metadata: { tag: 'soon', repo: 'expiring', namespace: 'auditor', manifest_digest: manifest.digest, expiration_date: tag.start_ts + 3600 },
    });
  });
});
