/**
 * 2. Warm latency, p50/p95/p99 over N sequential requests per endpoint, in-process (the handler
 * invoked with a payload-2.0 event from buildEvent) and over HTTP through the local server (client
 * and server share this process, so HTTP figures include the client's own work).
 */
import type { Bench, BenchRequest, Mode } from '../lib/harness.js';
import { expectStatus, resetUsage, snapshot } from '../lib/harness.js';
import { NAMESPACE, createRepository } from '../lib/fixture.js';
import { buildHistory, makeManifests, putAll, seedClient } from '../lib/seed.js';
import { median, percentiles } from '../lib/stats.js';
import type { Percentiles } from '../lib/stats.js';

export interface LatencyConfig {
  requests: number;
  runs: number;
  warmup: number;
}

export interface LatencyRow {
  endpoint: string;
  variant: string;
  mode: Mode;
  /** Median over runs of each run's percentile. */
  p50: number;
  p95: number;
  p99: number;
  perRun: Percentiles[];
  roundTrips: number;
}

interface Endpoint {
  endpoint: string;
  variant: string;
  status: number;
  request: (i: number) => BenchRequest;
}

export async function runLatency(bench: Bench, config: LatencyConfig, progress: (line: string) => void): Promise<{ rows: LatencyRow[]; repo: string }> {
  const token = await bench.token(NAMESPACE);
  const path = await createRepository(bench, token, 'latency');
  const pk = `REPO#${path}`;
  const names = ['hot', ...Array.from({ length: 49 }, (_, index) => `v${index + 1}`)];
  const t0 = Date.now() - 3 * 86_400_000;
  const history = buildHistory({
    pk,
    events: Array.from({ length: 1000 }, (_, index) => names[index % names.length]),
    manifests: makeManifests(199, t0 - 1000),
    t0,
    stepMs: 1000,
    windowS: 1_209_600,
  });
  const client = seedClient(bench.endpoint);
  try {
    await putAll(client, bench.server.registryTable, history.items, 4);
  } finally {
    client.destroy();
  }
  const moveTargets = [history.alive.get('v1')!.manifestDigest, history.alive.get('v2')!.manifestDigest];
  const repo = `/api/v1/repository/${path}`;

  const endpoints: Endpoint[] = [
    { endpoint: 'list-tags', variant: 'first page, limit 50 (1,000 ranges)', status: 200, request: () => ({ method: 'GET', path: `${repo}/tag/`, token }) },
    {
      endpoint: 'change-tag',
      variant: 'move (manifest_digest)',
      status: 201,
      request: (i) => ({ method: 'PUT', path: `${repo}/tag/hot`, token, body: { manifest_digest: moveTargets[Math.abs(i) % 2] } }),
    },
    { endpoint: 'v2-get-manifest', variant: 'GET by tag', status: 200, request: () => ({ method: 'GET', path: `/v2/${path}/manifests/hot`, token }) },
    {
      endpoint: 'v2-put-manifest',
      variant: 'by tag, new manifest',
      status: 201,
      request: () => {
        const [manifest] = makeManifests(1, Date.now());
        return { method: 'PUT', path: `/v2/${path}/manifests/pushed`, token, body: manifest.built.body, headers: { 'content-type': manifest.built.mediaType } };
      },
    },
  ];

  const samples = new Map<string, { perRun: Percentiles[]; trips: number[] }>();
  for (let run = 0; run < config.runs; run++) {
    for (const endpoint of endpoints) {
      for (const mode of ['in-process', 'http'] as const) {
        const times: number[] = [];
        const entry = samples.get(`${endpoint.endpoint}|${mode}`) ?? { perRun: [], trips: [] };
        for (let i = -config.warmup; i < config.requests; i++) {
          const request = endpoint.request(i);
          resetUsage();
          const response = await bench.call(mode, request);
          expectStatus(response, endpoint.status, `${endpoint.endpoint} (${mode})`);
          if (i < 0) continue;
          times.push(response.ms);
          entry.trips.push(snapshot().roundTrips);
        }
        entry.perRun.push(percentiles(times));
        samples.set(`${endpoint.endpoint}|${mode}`, entry);
      }
    }
    progress(`  latency run ${run + 1}/${config.runs} done`);
  }

  const rows: LatencyRow[] = [];
  for (const endpoint of endpoints) {
    for (const mode of ['in-process', 'http'] as const) {
      const { perRun, trips } = samples.get(`${endpoint.endpoint}|${mode}`)!;
      rows.push({
        endpoint: endpoint.endpoint,
        variant: endpoint.variant,
        mode,
        p50: median(perRun.map((run) => run.p50)),
        p95: median(perRun.map((run) => run.p95)),
        p99: median(perRun.map((run) => run.p99)),
        perRun,
        roundTrips: median(trips),
      });
    }
  }
  return { rows, repo: path };
}
