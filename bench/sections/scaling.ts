/**
 * 3. Scaling with history: the same requests against repositories holding 10, 1,000 and 100,000
 * history ranges, seeded directly (BatchWriteItem of store-shaped items) and checked through the
 * real API. Sizes are measured interleaved within each round, and ratios are taken within a round.
 */
import { MAX_OFFSET_ROWS } from '../../shared/domain/list-tags.js';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient, QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { REGISTRY_INDEX } from '../../shared/store/schema.js';
import { SK, tagKey } from '../../shared/store/keys.js';
import type { Bench, BenchRequest } from '../lib/harness.js';
import { expectStatus, json, resetUsage, snapshot } from '../lib/harness.js';
import { NAMESPACE, createRepository } from '../lib/fixture.js';
import { buildHistory, makeManifests, putAll, removeAddedRanges, seedClient } from '../lib/seed.js';
import type { SeededHistory } from '../lib/seed.js';
import { median } from '../lib/stats.js';

const WINDOW_S = 1_209_600;
const STEP_MS = 1000;
const LIST_LIMIT = 5;

export interface ScalingConfig {
  sizes: number[];
  rounds: number;
  readBatch: number;
  writeBatch: number;
  /** Pages (limit 100) at which the largest repository's cursor and offset pages are compared. */
  depthPages: number[];
  depthRuns: number;
}

export interface Check {
  what: string;
  ok: boolean;
  detail: string;
}

export interface SizeInfo {
  size: number;
  names: number;
  manifests: number;
  items: number;
  seedMs: number;
  checks: Check[];
}

export interface ScalingCell {
  kind: string;
  size: number;
  roundTrips: number;
  rcu: number;
  wcu: number;
  /** Median over rounds of each round's median handler time (ms). */
  ms: number;
  msPerRound: number[];
}

export interface ScalingRatio {
  kind: string;
  /** Largest / smallest, round trips (same in every round when the cost is deterministic). */
  roundTrips: number;
  /** Median over rounds of (largest median time / smallest median time) within the round. */
  time: number;
  timeMin: number;
  timeMax: number;
  met: boolean;
}

export interface DepthRow {
  page: number;
  position: number;
  via: 'cursor' | 'offset';
  roundTrips: number;
  rcu: number;
  ms: number;
}

/** The same DynamoDB requests issued directly (no handler), to tell the engine's scaling from ours. */
export interface EngineRow {
  query: string;
  size: number;
  ms: number;
}

export interface ScalingResult {
  engine: EngineRow[];
  sizes: SizeInfo[];
  cells: ScalingCell[];
  ratios: ScalingRatio[];
  depth: DepthRow[];
  config: ScalingConfig;
}

interface Repo {
  size: number;
  path: string;
  history: SeededHistory;
  seededUntil: number;
  names: string[];
  moveTargets: [string, string];
  restoreTargets: [string, string];
  deepCursor: string;
}

interface Kind {
  name: string;
  mutation: boolean;
  request: (repo: Repo, i: number) => BenchRequest;
  status: number;
}

function plan(size: number): { events: string[]; names: string[]; pool: number } {
  if (size <= 10) {
    // One tag moved often (hot: 6 ranges) and four others, so that every list variant fills a
    // page of 5 as in the larger repositories.
    const events = ['hot', 'a', 'hot', 'b', 'hot', 'c', 'hot', 'd', 'hot', 'hot'].slice(0, size);
    return { events, names: ['hot', 'a', 'b', 'c', 'd'], pool: size };
  }
  const count = Math.max(10, Math.round(size / 100));
  const names = ['hot', ...Array.from({ length: count - 1 }, (_, index) => `t${String(index + 1).padStart(4, '0')}`)];
  // Round robin: every name is moved size/count times; 199 manifests (prime) keep the manifests of
  // one name's consecutive ranges distinct.
  return { events: Array.from({ length: size }, (_, index) => names[index % count]), names, pool: 199 };
}

async function collect(bench: Bench, token: string, first: string, max = 2000): Promise<Record<string, any>[]> {
  const rows: Record<string, any>[] = [];
  let path: string | null = first;
  for (let pages = 0; path && pages < max; pages++) {
    const body: Record<string, any> = json(expectStatus(await bench.inProcess({ method: 'GET', path, token }), 200, `GET ${path}`));
    rows.push(...body.tags);
    path = body.next_page ? `${first}${first.includes('?') ? '&' : '?'}next_page=${body.next_page}` : null;
  }
  return rows;
}

async function checkInvariants(bench: Bench, token: string, repo: Repo): Promise<Check[]> {
  const base = `/api/v1/repository/${repo.path}/tag/`;
  const checks: Check[] = [];
  const expected = [...repo.history.ranges].sort((a, b) => b.start - a.start || a.name.localeCompare(b.name)).slice(0, LIST_LIMIT);
  const page = json(expectStatus(await bench.inProcess({ method: 'GET', path: `${base}?limit=${LIST_LIMIT}`, token }), 200, 'list'));
  const got = page.tags.map((tag: any) => `${tag.name}@${tag.manifest_digest.slice(7, 15)}`);
  const want = expected.map((range) => `${range.name}@${range.manifestDigest.slice(7, 15)}`);
  checks.push({ what: 'list returns the newest ranges first', ok: JSON.stringify(got) === JSON.stringify(want), detail: got.join(', ') });

  const hot = await collect(bench, token, `${base}?specificTag=hot&limit=100`);
  const hotRanges = repo.history.perName.get('hot') ?? 0;
  const ordered = hot.every((tag, index) => index === 0 || tag.start_ts <= hot[index - 1].start_ts);
  const onlyHot = hot.every((tag) => tag.name === 'hot');
  checks.push({
    what: 'specificTag history length',
    ok: hot.length === hotRanges && ordered && onlyHot && hot[0]?.end_ts === undefined,
    detail: `${hot.length} ranges (seeded ${hotRanges}), newest first: ${ordered}, newest open: ${hot[0]?.end_ts === undefined}`,
  });

  const active = await collect(bench, token, `${base}?onlyActiveTags=true&limit=100`);
  checks.push({
    what: 'onlyActiveTags count',
    ok: active.length === repo.history.alive.size,
    detail: `${active.length} alive (seeded ${repo.history.alive.size})`,
  });

  const manifest = await bench.inProcess({ method: 'GET', path: `/v2/${repo.path}/manifests/hot`, token });
  const hotDigest = repo.history.alive.get('hot')?.manifestDigest;
  checks.push({
    what: '/v2 manifest of hot',
    ok: manifest.status === 200 && manifest.headers['docker-content-digest'] === hotDigest,
    detail: `${manifest.status} ${manifest.headers['docker-content-digest']?.slice(0, 19)}…`,
  });
  return checks;
}

async function seedRepo(bench: Bench, client: DynamoDBDocumentClient, token: string, size: number): Promise<{ repo: Repo; info: SizeInfo }> {
  const started = performance.now();
  const { events, names, pool } = plan(size);
  const path = await createRepository(bench, token, `scale-${size}`);
  const pk = `REPO#${path}`;
  const t0 = Date.now() - 2 * 86_400_000 - size * STEP_MS;
  const history = buildHistory({ pk, events, manifests: makeManifests(pool, t0 - 1000), t0, stepMs: STEP_MS, windowS: WINDOW_S });
  await putAll(client, bench.server.registryTable, history.items, 4);
  const seedMs = performance.now() - started;

  const aliveOther = names.filter((name) => name !== 'hot').map((name) => history.alive.get(name)!.manifestDigest);
  const base = `/api/v1/repository/${path}/tag/`;
  // Deep cursor: follow next_page 9 times at limit 1; the 10th page is measured.
  let cursor = '';
  for (let hop = 0; hop < 9; hop++) {
    const body = json(
      expectStatus(await bench.inProcess({ method: 'GET', path: `${base}?limit=1${cursor ? `&next_page=${cursor}` : ''}`, token }), 200, 'hop'),
    );
    cursor = body.next_page;
  }
  const repo: Repo = {
    size,
    path,
    history,
    seededUntil: t0 + (size - 1) * STEP_MS,
    names,
    moveTargets: [aliveOther[0], aliveOther[1]],
    restoreTargets: [history.ranges[0].manifestDigest, history.ranges[1].manifestDigest],
    deepCursor: cursor,
  };
  const checks = await checkInvariants(bench, token, repo);
  return { repo, info: { size, names: names.length, manifests: pool, items: history.items.length, seedMs, checks } };
}

export async function runScaling(bench: Bench, config: ScalingConfig, progress: (line: string) => void): Promise<ScalingResult> {
  const token = await bench.token(NAMESPACE);
  const client = seedClient(bench.endpoint);
  const table = bench.server.registryTable;
  const repos: Repo[] = [];
  const sizes: SizeInfo[] = [];
  try {
    for (const size of config.sizes) {
      const { repo, info } = await seedRepo(bench, client, token, size);
      repos.push(repo);
      sizes.push(info);
      progress(`  seeded ${size} ranges (${info.items} items) in ${(info.seedMs / 1000).toFixed(1)} s; checks ${info.checks.every((c) => c.ok) ? 'ok' : 'FAILED'}`);
    }

    const base = (repo: Repo) => `/api/v1/repository/${repo.path}/tag/`;
    const kinds: Kind[] = [
      { name: 'list (first page)', mutation: false, status: 200, request: (repo) => ({ method: 'GET', path: `${base(repo)}?limit=${LIST_LIMIT}`, token }) },
      { name: 'specificTag', mutation: false, status: 200, request: (repo) => ({ method: 'GET', path: `${base(repo)}?specificTag=hot&limit=${LIST_LIMIT}`, token }) },
      { name: 'onlyActiveTags', mutation: false, status: 200, request: (repo) => ({ method: 'GET', path: `${base(repo)}?onlyActiveTags=true&limit=${LIST_LIMIT}`, token }) },
      { name: 'deep cursor (page 10)', mutation: false, status: 200, request: (repo) => ({ method: 'GET', path: `${base(repo)}?limit=1&next_page=${repo.deepCursor}`, token }) },
      {
        name: 'PUT (move)',
        mutation: true,
        status: 201,
        request: (repo, i) => ({ method: 'PUT', path: `${base(repo)}hot`, token, body: { manifest_digest: repo.moveTargets[i % 2] } }),
      },
      {
        name: 'restore',
        mutation: true,
        status: 200,
        request: (repo, i) => ({ method: 'POST', path: `${base(repo)}hot/restore`, token, body: { manifest_digest: repo.restoreTargets[i % 2] } }),
      },
    ];

    const reset = async (repo: Repo) => {
      await removeAddedRanges(client, table, repo.history.pk, 'hot', repo.seededUntil);
      await putAll(client, table, repo.history.mutableItemsOf('hot'));
    };

    const times = new Map<string, number[]>(); // `${kind}|${size}` → per-round medians
    const costs = new Map<string, { roundTrips: number[]; rcu: number[]; wcu: number[] }>();
    const key = (kind: string, size: number) => `${kind}|${size}`;

    for (let round = 0; round < config.rounds; round++) {
      for (const kind of kinds) {
        // Rotate the order of sizes each round so no size always runs first (or right after a reset).
        const order = repos.map((_, index) => repos[(index + round) % repos.length]);
        for (const repo of order) {
          const batch = kind.mutation ? config.writeBatch : config.readBatch;
          const samples: number[] = [];
          const cost = costs.get(key(kind.name, repo.size)) ?? { roundTrips: [], rcu: [], wcu: [] };
          for (let i = -2; i < batch; i++) {
            const request = kind.request(repo, i + 2);
            if (round === 0 && i >= batch - 3) {
              // The last three requests of round 0 also ask for consumed capacity.
              const measured = await bench.measure(request, true);
              expectStatus(measured.response, kind.status, kind.name);
              cost.rcu.push(measured.cost.rcu);
              cost.wcu.push(measured.cost.wcu);
              continue;
            }
            resetUsage();
            const response = await bench.inProcess(request);
            const spent = snapshot();
            expectStatus(response, kind.status, `${kind.name} on ${repo.size}`);
            if (i < 0) continue; // warm-up
            samples.push(response.ms);
            cost.roundTrips.push(spent.roundTrips);
          }
          costs.set(key(kind.name, repo.size), cost);
          const list = times.get(key(kind.name, repo.size)) ?? [];
          list.push(median(samples));
          times.set(key(kind.name, repo.size), list);
          if (kind.mutation) await reset(repo);
        }
      }
      progress(`  scaling round ${round + 1}/${config.rounds} done`);
    }

    const cells: ScalingCell[] = [];
    const ratios: ScalingRatio[] = [];
    const smallest = Math.min(...config.sizes);
    const largest = Math.max(...config.sizes);
    for (const kind of kinds) {
      for (const repo of repos) {
        const cost = costs.get(key(kind.name, repo.size))!;
        const perRound = times.get(key(kind.name, repo.size))!;
        cells.push({
          kind: kind.name,
          size: repo.size,
          roundTrips: median(cost.roundTrips),
          rcu: median(cost.rcu),
          wcu: median(cost.wcu),
          ms: median(perRound),
          msPerRound: perRound,
        });
      }
      const small = times.get(key(kind.name, smallest))!;
      const large = times.get(key(kind.name, largest))!;
      const perRound = large.map((value, round) => value / small[round]);
      const tripRatio = median(costs.get(key(kind.name, largest))!.roundTrips) / median(costs.get(key(kind.name, smallest))!.roundTrips);
      const time = median(perRound);
      ratios.push({ kind: kind.name, roundTrips: tripRatio, time, timeMin: Math.min(...perRound), timeMax: Math.max(...perRound), met: tripRatio <= 1.5 && time <= 1.5 });
    }

    const depth = config.depthPages.length ? await runDepth(bench, token, repos.find((repo) => repo.size === largest)!, config) : [];
    const engine = await probeEngine(client, table, repos);
    return { engine, sizes, cells, ratios, depth, config };
  } finally {
    client.destroy();
  }
}

/** Cursor versus Quay's offset `page=N` at increasing depth, in the largest repository (limit 100). */
async function runDepth(bench: Bench, token: string, repo: Repo, config: ScalingConfig): Promise<DepthRow[]> {
  const base = `/api/v1/repository/${repo.path}/tag/?limit=100`;
  const pages = config.depthPages.filter((page) => (page - 1) * 100 < repo.size);
  const cursors = new Map<number, string>();
  let cursor = '';
  const last = Math.max(...pages);
  for (let page = 1; page < last; page++) {
    const body = json(expectStatus(await bench.inProcess({ method: 'GET', path: `${base}${cursor ? `&next_page=${cursor}` : ''}`, token }), 200, 'hop'));
    cursor = body.next_page;
    if (pages.includes(page + 1)) cursors.set(page + 1, cursor);
  }
  const rows: DepthRow[] = [];
  for (const page of pages) {
    for (const via of ['cursor', 'offset'] as const) {
      // Offsets beyond MAX_OFFSET_ROWS are refused (400, follow next_page): nothing to measure.
      if (via === 'offset' && (page - 1) * 100 > MAX_OFFSET_ROWS) continue;
      const path = via === 'cursor' ? `${base}&next_page=${cursors.get(page)}` : `${base}&page=${page}`;
      const samples: { ms: number; trips: number; rcu: number }[] = [];
      for (let run = 0; run < config.depthRuns; run++) {
        const { response, cost } = await bench.measure({ method: 'GET', path, token }, run === 0);
        expectStatus(response, 200, `depth ${via} ${page}`);
        samples.push({ ms: response.ms, trips: cost.roundTrips, rcu: cost.rcu });
      }
      rows.push({
        page,
        position: (page - 1) * 100,
        via,
        roundTrips: median(samples.map((sample) => sample.trips)),
        rcu: samples[0].rcu,
        // The first run also asked for capacity; the time is the median of the others when there are any.
        ms: median((samples.length > 1 ? samples.slice(1) : samples).map((sample) => sample.ms)),
      });
    }
  }
  return rows;
}

/** Median time of the store's own queries sent straight to DynamoDB Local, per repository size. */
async function probeEngine(client: DynamoDBDocumentClient, table: string, repos: Repo[]): Promise<EngineRow[]> {
  const rows: EngineRow[] = [];
  for (const repo of repos) {
    const pk = repo.history.pk;
    const ordered = [...repo.history.ranges].sort((a, b) => b.start - a.start || a.name.localeCompare(b.name));
    const middle = ordered[Math.floor(ordered.length / 2)];
    const history: QueryCommandInput = {
      TableName: table,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': pk, ':prefix': SK.rangePrefix },
      ConsistentRead: true,
      Limit: LIST_LIMIT + 1,
    };
    const probes: [string, () => Promise<unknown>][] = [
      ['history Query, first page (list)', () => client.send(new QueryCommand(history))],
      [
        'history Query from the middle (cursor at n/2)',
        () => client.send(new QueryCommand({ ...history, ExclusiveStartKey: { PK: pk, SK: SK.range(middle.start, middle.name) } })),
      ],
      [
        'activeTags Query (onlyActiveTags)',
        () =>
          client.send(
            new QueryCommand({
              TableName: table,
              IndexName: REGISTRY_INDEX.activeTags,
              KeyConditionExpression: 'activePK = :pk',
              FilterExpression: '(attribute_not_exists(#end) OR #end > :now)',
              ExpressionAttributeNames: { '#end': 'end' },
              ExpressionAttributeValues: { ':pk': pk, ':now': Date.now() },
              Limit: LIST_LIMIT + 1,
            }),
          ),
      ],
      [
        'tagHistory Query (specificTag)',
        () =>
          client.send(
            new QueryCommand({
              TableName: table,
              IndexName: REGISTRY_INDEX.tagHistory,
              KeyConditionExpression: 'tagKey = :key',
              ExpressionAttributeValues: { ':key': tagKey(pk, 'hot') },
              Limit: LIST_LIMIT + 1,
            }),
          ),
      ],
      ['GetItem pointer', () => client.send(new GetCommand({ TableName: table, Key: { PK: pk, SK: SK.tag('hot') }, ConsistentRead: true }))],
    ];
    for (const [query, run] of probes) {
      const times: number[] = [];
      for (let i = -3; i < 21; i++) {
        const started = performance.now();
        await run();
        if (i >= 0) times.push(performance.now() - started);
      }
      rows.push({ query, size: repo.size, ms: median(times) });
    }
  }
  return rows;
}
