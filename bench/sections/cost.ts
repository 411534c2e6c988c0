/**
 * 1. DynamoDB round trips and consumed capacity per request, for every route, counted by the SDK
 * middleware of shared/store/client.ts (`usage`), with ReturnConsumedCapacity=TOTAL asked by the
 * benchmark's own middleware on the same client.
 */
import { randomBytes } from 'node:crypto';
import type { Bench, BenchRequest, Cost } from '../lib/harness.js';
import { expectStatus, json } from '../lib/harness.js';
import { NAMESPACE, createRepository, push } from '../lib/fixture.js';
import { makeManifests } from '../lib/seed.js';
import { largeManifest } from '../lib/manifests.js';
import { median } from '../lib/stats.js';
import type { CostClass, CostRow } from '../lib/cost-row.js';


interface CostCase {
  endpoint: string;
  variant: string;
  cls: CostClass;
  status: number;
  prepare?: (i: number) => Promise<void>;
  request: (i: number) => BenchRequest | Promise<BenchRequest>;
}

/**
 * Reads a request may wait for one after another (besides its transaction), issue 17: the
 * authorization facts are read alongside the data, whose keys the path gives.
 */
function sequentialTarget({ endpoint, variant, cls }: CostCase): number | undefined {
  if (endpoint === 'v2-get-manifest') return variant.includes('digest') ? 1 : 2;
  if (endpoint === 'list-tags' && cls === 'list') return 2;
  if (endpoint === 'delete-tag' || (endpoint === 'change-tag' && variant === 'expiration')) return 1;
  if (endpoint === 'change-tag' || endpoint === 'restore-tag') return 2;
  return undefined;
}

export async function runCost(bench: Bench, runs: number): Promise<{ rows: CostRow[]; capacityNote: string }> {
  const token = await bench.token(NAMESPACE);
  const path = await createRepository(bench, token, 'costs');
  const visPath = await createRepository(bench, token, 'costs-vis');
  const repo = `/api/v1/repository/${path}`;
  const [m1, m2, m3, m4, dead] = makeManifests(5, Date.now());
  await push(bench, token, path, 'latest', m1.built);
  await push(bench, token, path, 'prod', m2.built);
  await push(bench, token, path, 'hot', m3.built);
  await push(bench, token, path, 'exp', m4.built);
  // `dead` is only in history: pushed to `gone`, which then moves to m1.
  await push(bench, token, path, 'gone', dead.built);
  await push(bench, token, path, 'gone', m1.built);
  expectStatus(
    await bench.inProcess({ method: 'POST', path: '/api/v1/organization/', token, body: { name: 'benchorg', email: 'bench@example.com' } }),
    201,
    'create organization',
  );
  const [big1, big2] = [largeManifest(100), largeManifest(100)];
  await push(bench, token, path, 'big1', big1);
  await push(bench, token, path, 'big2', big2);
  const pushes = makeManifests(runs + 1, Date.now());
  const digestPushes = makeManifests(runs + 1, Date.now());
  const suffix = randomBytes(3).toString('hex');
  const put = (tag: string, body: object): BenchRequest => ({ method: 'PUT', path: `${repo}/tag/${tag}`, token, body });
  const hour = 3600;

  const cases: CostCase[] = [
    { endpoint: 'health', variant: 'GET /health/instance', cls: 'none', status: 200, request: () => ({ method: 'GET', path: '/health/instance' }) },
    { endpoint: 'list-tags', variant: 'first page (default limit 50)', cls: 'list', status: 200, request: () => ({ method: 'GET', path: `${repo}/tag/`, token }) },
    { endpoint: 'list-tags', variant: 'specificTag=hot', cls: 'list', status: 200, request: () => ({ method: 'GET', path: `${repo}/tag/?specificTag=hot`, token }) },
    { endpoint: 'list-tags', variant: 'onlyActiveTags=true', cls: 'list', status: 200, request: () => ({ method: 'GET', path: `${repo}/tag/?onlyActiveTags=true`, token }) },
    {
      endpoint: 'list-tags',
      variant: 'specificTag=hot&onlyActiveTags=true',
      cls: 'list',
      status: 200,
      request: () => ({ method: 'GET', path: `${repo}/tag/?specificTag=hot&onlyActiveTags=true`, token }),
    },
    { endpoint: 'list-tags', variant: 'filter_tag_name=like:ho', cls: 'list', status: 200, request: () => ({ method: 'GET', path: `${repo}/tag/?filter_tag_name=like:ho`, token }) },
    {
      endpoint: 'list-tags',
      variant: 'next_page cursor (limit=2, page 2)',
      cls: 'list',
      status: 200,
      request: async () => {
        const first = json(expectStatus(await bench.inProcess({ method: 'GET', path: `${repo}/tag/?limit=2`, token }), 200, 'page 1'));
        return { method: 'GET', path: `${repo}/tag/?limit=2&next_page=${first.next_page}`, token };
      },
    },
    { endpoint: 'list-tags', variant: 'anonymous on private repo (401)', cls: 'none', status: 401, request: () => ({ method: 'GET', path: `${repo}/tag/` }) },
    {
      endpoint: 'change-tag',
      variant: 'move (manifest_digest)',
      cls: 'tag-mutation',
      status: 201,
      request: (i) => put('hot', { manifest_digest: i % 2 ? m1.digest : m2.digest }),
    },
    {
      endpoint: 'change-tag',
      variant: `move to a ${Math.round(big1.body.length / 1024)} KB manifest`,
      cls: 'tag-mutation',
      status: 201,
      request: (i) => put('bighot', { manifest_digest: i % 2 ? big1.digest : big2.digest }),
    },
    { endpoint: 'change-tag', variant: 'create (manifest_digest)', cls: 'tag-mutation', status: 201, request: (i) => put(`new-${suffix}-${i}`, { manifest_digest: m1.digest }) },
    {
      endpoint: 'change-tag',
      variant: 'expiration',
      cls: 'tag-mutation',
      status: 201,
      request: (i) => put('exp', { expiration: Math.floor(Date.now() / 1000) + (i + 2) * hour }),
    },
    { endpoint: 'change-tag', variant: 'move (legacy image id)', cls: 'tag-mutation', status: 201, request: () => put('byimage', { image: m2.imageId }) },
    {
      endpoint: 'delete-tag',
      variant: 'DELETE alive tag',
      cls: 'tag-mutation',
      status: 204,
      prepare: async (i) => {
        expectStatus(await bench.inProcess(put(`del-${suffix}-${i}`, { manifest_digest: m1.digest })), 201, 'create tag to delete');
      },
      request: (i) => ({ method: 'DELETE', path: `${repo}/tag/del-${suffix}-${i}`, token }),
    },
    { endpoint: 'tag-images', variant: 'GET …/tag/latest/images', cls: 'read', status: 200, request: () => ({ method: 'GET', path: `${repo}/tag/latest/images`, token }) },
    {
      endpoint: 'restore-tag',
      variant: 'manifest_digest (dead history)',
      cls: 'tag-mutation',
      status: 200,
      request: (i) => ({ method: 'POST', path: `${repo}/tag/hot/restore`, token, body: { manifest_digest: i % 2 ? dead.digest : m3.digest } }),
    },
    {
      endpoint: 'restore-tag',
      variant: 'legacy image id',
      cls: 'tag-mutation',
      status: 200,
      request: () => ({ method: 'POST', path: `${repo}/tag/restored/restore`, token, body: { image: dead.imageId } }),
    },
    {
      endpoint: 'create-organization',
      variant: 'POST /organization/',
      cls: 'admin',
      status: 201,
      request: (i) => ({ method: 'POST', path: '/api/v1/organization/', token, body: { name: `org_${suffix}_${i}` } }),
    },
    {
      endpoint: 'update-organization',
      variant: 'tag_expiration_s',
      cls: 'admin',
      status: 200,
      request: () => ({ method: 'PUT', path: '/api/v1/organization/benchorg', token, body: { tag_expiration_s: 1_209_600 } }),
    },
    { endpoint: 'update-user', variant: 'tag_expiration_s', cls: 'admin', status: 200, request: () => ({ method: 'PUT', path: '/api/v1/user/', token, body: { tag_expiration_s: 1_209_600 } }) },
    {
      endpoint: 'create-repository',
      variant: 'POST /repository',
      cls: 'admin',
      status: 201,
      request: (i) => ({ method: 'POST', path: '/api/v1/repository', token, body: { namespace: NAMESPACE, repository: `new-${suffix}-${i}`, visibility: 'private' } }),
    },
    { endpoint: 'get-repository', variant: 'GET /repository/{ns}/{repo}', cls: 'read', status: 200, request: () => ({ method: 'GET', path: repo, token }) },
    {
      endpoint: 'change-visibility',
      variant: 'public/private',
      cls: 'admin',
      status: 200,
      request: (i) => ({ method: 'POST', path: `/api/v1/repository/${visPath}/changevisibility`, token, body: { visibility: i % 2 ? 'private' : 'public' } }),
    },
    { endpoint: 'list-user-permissions', variant: 'GET', cls: 'read', status: 200, request: () => ({ method: 'GET', path: `${repo}/permissions/user/`, token }) },
    { endpoint: 'put-user-permission', variant: 'role read', cls: 'admin', status: 200, request: () => ({ method: 'PUT', path: `${repo}/permissions/user/reader`, token, body: { role: 'read' } }) },
    {
      endpoint: 'delete-user-permission',
      variant: 'DELETE',
      cls: 'admin',
      status: 204,
      prepare: async (i) => {
        expectStatus(
          await bench.inProcess({ method: 'PUT', path: `${repo}/permissions/user/gone${i}`, token, body: { role: 'read' } }),
          200,
          'grant to delete',
        );
      },
      request: (i) => ({ method: 'DELETE', path: `${repo}/permissions/user/gone${i}`, token }),
    },
    { endpoint: 'repository-logs', variant: 'GET', cls: 'read', status: 200, request: () => ({ method: 'GET', path: `${repo}/logs`, token }) },
    { endpoint: 'organization-logs', variant: 'GET', cls: 'read', status: 200, request: () => ({ method: 'GET', path: '/api/v1/organization/benchorg/logs', token }) },
    { endpoint: 'user-logs', variant: 'GET', cls: 'read', status: 200, request: () => ({ method: 'GET', path: '/api/v1/user/logs', token }) },
    { endpoint: 'v2-base', variant: 'GET /v2/', cls: 'none', status: 200, request: () => ({ method: 'GET', path: '/v2/', token }) },
    {
      endpoint: 'v2-put-manifest',
      variant: 'by tag, new manifest',
      cls: 'ingest',
      status: 201,
      request: (i) => ({
        method: 'PUT',
        path: `/v2/${path}/manifests/pushed`,
        token,
        body: pushes[i].built.body,
        headers: { 'content-type': pushes[i].built.mediaType },
      }),
    },
    {
      endpoint: 'v2-put-manifest',
      variant: 'by tag, stored manifest',
      cls: 'ingest',
      status: 201,
      request: () => ({ method: 'PUT', path: `/v2/${path}/manifests/again`, token, body: m1.built.body, headers: { 'content-type': m1.built.mediaType } }),
    },
    {
      endpoint: 'v2-put-manifest',
      variant: 'by digest, new manifest',
      cls: 'ingest',
      status: 201,
      request: (i) => ({
        method: 'PUT',
        path: `/v2/${path}/manifests/${digestPushes[i].digest}`,
        token,
        body: digestPushes[i].built.body,
        headers: { 'content-type': digestPushes[i].built.mediaType },
      }),
    },
    { endpoint: 'v2-get-manifest', variant: 'GET by tag', cls: 'read', status: 200, request: () => ({ method: 'GET', path: `/v2/${path}/manifests/latest`, token }) },
    { endpoint: 'v2-get-manifest', variant: 'GET by digest', cls: 'read', status: 200, request: () => ({ method: 'GET', path: `/v2/${path}/manifests/${m1.digest}`, token }) },
    { endpoint: 'v2-get-manifest', variant: 'HEAD by tag', cls: 'read', status: 200, request: () => ({ method: 'HEAD', path: `/v2/${path}/manifests/latest`, token }) },
    { endpoint: 'v2-list-tags', variant: 'GET tags/list', cls: 'read', status: 200, request: () => ({ method: 'GET', path: `/v2/${path}/tags/list`, token }) },
  ];

  const rows: CostRow[] = [];
  for (const testCase of cases) {
    const costs: (Cost & { ms: number })[] = [];
    let status = 0;
    // Run 0 warms the handler up (module init, schema compilation) and is not recorded.
    for (let i = 0; i <= runs; i++) {
      await testCase.prepare?.(i);
      const request = await testCase.request(i);
      const { response, cost } = await bench.measure(request);
      expectStatus(response, testCase.status, `${testCase.endpoint} ${testCase.variant}`);
      status = response.status;
      if (i > 0) costs.push({ ...cost, ms: response.ms });
    }
    const trips = costs.map((cost) => cost.roundTrips);
    const medianTrips = median(trips);
    const typical = costs.find((cost) => cost.roundTrips === medianTrips) ?? costs[0];
    const transactions = typical.byCommand.TransactWriteItemsCommand ?? 0;
    const row: CostRow = {
      endpoint: testCase.endpoint,
      variant: testCase.variant,
      cls: testCase.cls,
      status,
      runs: costs.length,
      roundTrips: medianTrips,
      roundTripsMin: Math.min(...trips),
      roundTripsMax: Math.max(...trips),
      sequential: median(costs.map((cost) => cost.sequential)),
      sequentialMax: Math.max(...costs.map((cost) => cost.sequential)),
      transactions,
      byCommand: typical.byCommand,
      rcu: median(costs.map((cost) => cost.rcu)),
      wcu: median(costs.map((cost) => cost.wcu)),
      ms: Math.min(...costs.map((cost) => cost.ms)),
      capacityReported: costs.some((cost) => cost.rcu + cost.wcu > 0),
    };
    const inRow = sequentialTarget(testCase);
    if (inRow !== undefined) {
      row.target = `≤ ${inRow}${transactions ? ' + 1 transaction' : ''} in a row`;
      row.met = transactions <= 1 && row.sequentialMax - transactions <= inRow;
    } else if (testCase.cls === 'list') {
      row.target = '≤ 3 round trips';
      row.met = row.roundTripsMax <= 3;
    } else if (testCase.cls === 'tag-mutation') {
      row.target = '≤ 3 + 1 transaction';
      row.met = transactions <= 1 && row.roundTripsMax - transactions <= 3;
    }
    rows.push(row);
  }
  const capacityNote = rows.some((row) => row.capacityReported)
    ? 'DynamoDB Local answered ReturnConsumedCapacity=TOTAL (figures below are what it reported).'
    : 'DynamoDB Local reported no consumed capacity even with ReturnConsumedCapacity=TOTAL.';
  return { rows, capacityNote };
}
