/**
 * Repository notifications end to end, with a real HTTP receiver on loopback: Quay's API (views,
 * status codes, audit kinds, admins only), signed deliveries of tag events and repo_push,
 * tag_pattern, retries with back-off on the clock, failure counting and reset, the delivery log.
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepository, grant, push } from '../support/fixtures.js';
import { startTestServer, type TestServer } from '../support/local-server.js';
import { imageManifest } from '../support/manifests.js';

interface Received {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

let server: TestServer;
let token: string;
let receiver: Server;
let receiverUrl: string;
const received: Received[] = [];
/** Status codes the receiver answers with, in turn (then 200). */
const answers: number[] = [];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = answers.shift() ?? 200;
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  server = await startTestServer();
  token = await server.tokenFor('nora');
  await createRepository(server, token, 'nora', 'app');
});

afterAll(async () => {
  await server?.stop();
  await new Promise<void>((resolve) => receiver?.close(() => resolve()));
});

const base = '/api/v1/repository/nora/app/notification/';
const flush = async () => expect((await server.api('POST', '/_local/events/flush')).status).toBe(200);
const create = (body: Record<string, unknown>, as = token) => server.api('POST', base, { token: as, body });
const verify = (secret: string, item: Received) =>
  item.headers['x-tag-service-signature'] === `sha256=${createHmac('sha256', secret).update(item.body).digest('hex')}`;

describe('the notification API', () => {
  it('creates, lists, gets, resets and deletes, with Quay’s views, codes and audit kinds', async () => {
    const created = await create({ event: 'tag_moved', method: 'webhook', config: { url: receiverUrl }, eventConfig: {}, title: 'moves' });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^[0-9a-f]{64}$/);
    const { secret, ...view } = created.body;
    expect(view).toEqual({ uuid: expect.any(String), title: 'moves', event: 'tag_moved', method: 'webhook', config: { url: receiverUrl }, event_config: {}, number_of_failures: 0 });
    expect(secret).toBeTruthy();

    const one = await server.api('GET', `${base}${view.uuid}`, { token });
    expect(one.body).toEqual(view);
    expect(JSON.stringify(one.body)).not.toContain(secret);
    expect((await server.api('GET', base, { token })).body).toEqual({ notifications: [view] });
    expect((await server.api('POST', `${base}${view.uuid}`, { token })).status).toBe(204);
    expect((await server.api('DELETE', `${base}${view.uuid}`, { token })).status).toBe(204);
    expect((await server.api('GET', `${base}${view.uuid}`, { token })).status).toBe(404);
    expect((await server.api('DELETE', `${base}${view.uuid}`, { token })).status).toBe(404);

    await server.flushAudit();
    const kinds = (await server.api('GET', '/api/v1/repository/nora/app/logs', { token })).body.logs.map((entry: { kind: string }) => entry.kind);
    expect(kinds).toEqual(expect.arrayContaining(['add_repo_notification', 'reset_repo_notification', 'delete_repo_notification']));
  });

  it('refuses other methods, unknown events, bad eventConfig and unsafe URLs with 400, writing nothing', async () => {
    const good = { event: 'tag_created', method: 'webhook', config: { url: receiverUrl }, eventConfig: {} };
    for (const body of [
      { ...good, method: 'email' },
      { ...good, event: 'build_success' },
      { ...good, event: 'repo_image_expiry' },
      { ...good, event: 'repo_image_expiry', eventConfig: { days: 0 } },
      { ...good, eventConfig: { tag_pattern: '(a' } },
      { ...good, eventConfig: { tag_pattern: '(a)\\1' } },
      { ...good, config: {} },
      { ...good, config: { url: 'ftp://127.0.0.1/x' } },
      { ...good, config: { url: 'http://169.254.169.254/latest/meta-data' } },
      { ...good, config: { url: 'http://10.0.0.1/hook' } },
      { ...good, config: { url: 'https://192.168.1.1/hook' } },
    ]) {
      const response = await create(body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error_type).toBe('invalid_request');
    }
    expect((await server.api('GET', base, { token })).body.notifications).toEqual([]);
  });

  it('is for repository admins only', async () => {
    const writer = await server.tokenFor('walt');
    await grant(server, token, 'nora/app', 'walt', 'write');
    expect((await create({ event: 'tag_created', method: 'webhook', config: { url: receiverUrl }, eventConfig: {} }, writer)).status).toBe(403);
    expect((await server.api('GET', base, { token: writer })).status).toBe(403);
    expect((await server.api('GET', base)).status).toBe(401);
  });
});

describe('deliveries', () => {
  it('sends signed tag events and repo_push, honouring tag_pattern', async () => {
    const moved = await create({ event: 'tag_moved', method: 'webhook', config: { url: receiverUrl }, eventConfig: { tag_pattern: 'v[0-9]+' } });
    const pushes = await create({ event: 'repo_push', method: 'webhook', config: { url: receiverUrl }, eventConfig: {} });
    received.length = 0;
    const first = await push(server, token, 'nora/app', 'v1', imageManifest());
    const second = await push(server, token, 'nora/app', 'v1', imageManifest());
    await push(server, token, 'nora/app', 'latest', first);
    await push(server, token, 'nora/app', 'latest', second);
    await flush();

    const tagEvents = received.filter((item) => item.headers['x-tag-service-event'] === 'tag_moved');
    expect(tagEvents).toHaveLength(1);
    const body = JSON.parse(tagEvents[0].body);
    expect(body).toMatchObject({ event: 'tag_moved', tag: 'v1', manifest_digest: second.digest, previous_manifest_digest: first.digest, repository: 'nora/app' });
    expect(verify(moved.body.secret, tagEvents[0])).toBe(true);
    expect(verify(pushes.body.secret, tagEvents[0])).toBe(false);

    const pushEvents = received.filter((item) => item.headers['x-tag-service-event'] === 'repo_push');
    expect(pushEvents.map((item) => JSON.parse(item.body).updated_tags)).toEqual([['v1'], ['v1'], ['latest'], ['latest']]);
    expect(JSON.parse(pushEvents[0].body)).toMatchObject({ repository: 'nora/app', namespace: 'nora', name: 'app' });
    for (const item of pushEvents) expect(verify(pushes.body.secret, item)).toBe(true);
    expect(new Set(received.map((item) => item.headers['x-tag-service-delivery'])).size).toBe(received.length);

    await server.api('DELETE', `${base}${moved.body.uuid}`, { token });
    await server.api('DELETE', `${base}${pushes.body.uuid}`, { token });
  });

  it('retries with back-off on the clock, counts consecutive failures, logs every attempt, and resets', async () => {
    const created = await create({ event: 'tag_deleted', method: 'webhook', config: { url: receiverUrl }, eventConfig: {} });
    const uuid = created.body.uuid as string;
    received.length = 0;
    answers.push(500, 503, 502, 500);
    const manifest = await push(server, token, 'nora/app', 'gone', imageManifest());
    expect(manifest).toBeTruthy();
    expect((await server.api('DELETE', '/api/v1/repository/nora/app/tag/gone', { token })).status).toBe(204);
    await flush();
    expect(received).toHaveLength(1);
    expect((await server.api('GET', `${base}${uuid}`, { token })).body.number_of_failures).toBe(1);

    // The retry waits for its back-off (30 s), then fails again.
    await flush();
    expect(received).toHaveLength(1);
    await server.api('POST', '/_local/clock', { body: { advance_s: 31 } });
    await flush();
    expect(received).toHaveLength(2);
    await server.api('POST', '/_local/clock', { body: { advance_s: 61 } });
    await flush();
    expect(received).toHaveLength(3);
    expect((await server.api('GET', `${base}${uuid}`, { token })).body.number_of_failures).toBe(3);

    // Disabled after 3 failures in a row, as in Quay, but not silently: the log shows the skipped attempt.
    await server.api('POST', '/_local/clock', { body: { advance_s: 121 } });
    await flush();
    expect(received).toHaveLength(3);
    const log = (await server.api('GET', `${base}${uuid}/deliveries`, { token })).body.deliveries;
    expect(log.map((entry: { status: string; attempt: number }) => [entry.status, entry.attempt])).toEqual([
      ['skipped', 4],
      ['failed', 3],
      ['failed', 2],
      ['failed', 1],
    ]);
    expect(log[1].response_code).toBe(502);

    // Reset re-enables it: the test delivery goes out and succeeds, and a success clears the count.
    answers.length = 0;
    expect((await server.api('POST', `${base}${uuid}`, { token })).status).toBe(204);
    expect((await server.api('POST', `${base}${uuid}/test`, { token })).status).toBe(200);
    await flush();
    expect(received).toHaveLength(4);
    expect(verify(created.body.secret, received[3])).toBe(true);
    expect(JSON.parse(received[3].body)).toMatchObject({ event: 'tag_deleted', tag: 'latest' });
    const after = (await server.api('GET', `${base}${uuid}/deliveries`, { token })).body.deliveries;
    expect(after[0]).toMatchObject({ status: 'delivered', response_code: 200, attempt: 1 });
    expect((await server.api('GET', `${base}${uuid}`, { token })).body.number_of_failures).toBe(0);
  });
});
