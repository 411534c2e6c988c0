/**
 * 6. Side by side with a peer: the same `/v2` workload against Debian's Distribution registry and
 * against this service's local server, each in its own process on loopback, measured in one run.
 * Per repository size: N tags pushed by `PUT /v2/{ns}/{repo}/manifests/{tag}`, reads by tag,
 * tags/list pages of 100 and full listings by pages. Every operation runs in rounds that alternate
 * which server goes first; a ratio (ours / Distribution) is computed within each round and the
 * median of those is reported with their spread.
 */
import { randomBytes } from 'node:crypto';
import { signLocalToken } from '../../infra/local/token.js';
import { LoopbackClient, expectOk } from '../lib/http-client.js';
import { fullListing, getManifest, manifestFor, putManifest, tagsPage, tinyBlobs, uploadBlob } from '../lib/oci-workload.js';
import { distributionVersion, startDistribution, startOurServer, DISTRIBUTION_BINARY } from '../lib/peers.js';
import type { RunningPeer } from '../lib/peers.js';
import { median, percentiles } from '../lib/stats.js';
import type { Percentiles } from '../lib/stats.js';

export interface PeerConfig {
  /** Repository sizes (tags); `--peer-tags 1000,10000` or PEER_TAGS sets them. */
  sizes: number[];
  rounds: number;
  /** GET manifest by tag per server and round. */
  gets: number;
  /** Requests per tags/list page variant, per server and round. */
  pageRequests: number;
}

export type PeerSide = 'ours' | 'distribution';

export interface PeerRow {
  size: number;
  op: string;
  ours: Percentiles;
  distribution: Percentiles;
  /** Median over rounds of (ours p50 / Distribution p50) in that round, and its range. */
  ratio: number;
  ratioMin: number;
  ratioMax: number;
  /** For listings: requests made and tags received, per side (the last round's). */
  requests?: Record<PeerSide, number>;
  tags?: Record<PeerSide, number>;
}

export interface PeerResult {
  config: PeerConfig;
  /** Why the section did not run (no Distribution binary). */
  skipped?: string;
  servers?: Record<PeerSide, string>;
  rows: PeerRow[];
  /** What each server answered to each tags/list page request (its first time), per size. */
  paging: { size: number; side: PeerSide; query?: string; returned: number; link: boolean }[];
}

interface Side {
  name: PeerSide;
  client: LoopbackClient;
  repo: string;
}

const PAGE = 100;
/** The most this service returns per page (functions/v2-list-tags.ts): a full listing in few requests. */
const LARGE_PAGE = 1000;

const tagName = (index: number) => `v${String(index).padStart(6, '0')}`;

async function prepareOurs(server: RunningPeer, repo: string, token: string): Promise<LoopbackClient> {
  const client = new LoopbackClient(server.url, { authorization: `Bearer ${token}` });
  const [namespace, repository] = repo.split('/');
  expectOk(
    await client.send({
      method: 'POST',
      path: '/api/v1/repository',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ namespace, repository, visibility: 'private', description: 'peer benchmark' }),
    }),
    [201],
    `create ${repo}`,
  );
  return client;
}

/** Runs `work` once per side per round, alternating which side goes first. */
async function interleaved(sides: Side[], rounds: number, work: (side: Side, round: number) => Promise<void>): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 ? [...sides].reverse() : sides;
    for (const side of order) await work(side, round);
  }
}

/** Per side and round, the samples of one operation. */
class Samples {
  private readonly bySide = new Map<PeerSide, number[][]>();

  add(side: PeerSide, round: number, ms: number): void {
    const rounds = this.bySide.get(side) ?? [];
    (rounds[round] ??= []).push(ms);
    this.bySide.set(side, rounds);
  }

  row(size: number, op: string): PeerRow {
    const ours = this.bySide.get('ours') ?? [];
    const theirs = this.bySide.get('distribution') ?? [];
    const ratios = ours.map((samples, round) => median(samples) / median(theirs[round] ?? []));
    return {
      size,
      op,
      ours: percentiles(ours.flat()),
      distribution: percentiles(theirs.flat()),
      ratio: median(ratios),
      ratioMin: Math.min(...ratios),
      ratioMax: Math.max(...ratios),
    };
  }
}

async function measureSize(sides: Side[], size: number, config: PeerConfig, progress: (line: string) => void): Promise<{ rows: PeerRow[]; paging: PeerResult['paging'] }> {
  const blobs = tinyBlobs();
  const runId = randomBytes(4).toString('hex');
  for (const side of sides) if (side.name === 'distribution') for (const blob of [blobs.config, blobs.layer]) await uploadBlob(side.client, side.repo, blob);

  const rows: PeerRow[] = [];
  const puts = new Samples();
  const perRound = Math.ceil(size / config.rounds);
  await interleaved(sides, config.rounds, async (side, round) => {
    for (let index = round * perRound; index < Math.min(size, (round + 1) * perRound); index++) {
      const tag = tagName(index);
      puts.add(side.name, round, (await putManifest(side.client, side.repo, tag, manifestFor(blobs, tag, runId))).ms);
    }
  });
  rows.push(puts.row(size, 'PUT manifest by tag'));
  progress(`  peer: ${size.toLocaleString('en-US')} tags pushed to both`);

  const gets = new Samples();
  await interleaved(sides, config.rounds, async (side, round) => {
    for (let i = 0; i < config.gets; i++) {
      const tag = tagName(Math.floor(Math.random() * size));
      gets.add(side.name, round, (await getManifest(side.client, side.repo, tag)).ms);
    }
  });
  rows.push(gets.row(size, 'GET manifest by tag'));

  const paging: PeerResult['paging'] = [];
  const middle = tagName(Math.floor(size / 2));
  const nearEnd = tagName(Math.max(0, size - PAGE - 1));
  const pageVariants = [
    { op: `tags/list page, first (?n=${PAGE})`, query: `n=${PAGE}` },
    { op: `tags/list page, from the middle (?n=${PAGE}&last=${middle})`, query: `n=${PAGE}&last=${middle}` },
    // The last full page: a page's cost must not depend on where `last` is.
    { op: `tags/list page, near the end (?n=${PAGE}&last=${nearEnd})`, query: `n=${PAGE}&last=${nearEnd}` },
  ];
  for (const variant of pageVariants) {
    const samples = new Samples();
    await interleaved(sides, config.rounds, async (side, round) => {
      for (let i = 0; i < config.pageRequests; i++) {
        const page = await tagsPage(side.client, `/v2/${side.repo}/tags/list?${variant.query}`);
        samples.add(side.name, round, page.response.ms);
        if (round === 0 && i === 0) paging.push({ size, side: side.name, query: variant.query, returned: page.tags.length, link: page.next !== undefined });
      }
    });
    rows.push(samples.row(size, variant.op));
  }

  for (const n of [PAGE, LARGE_PAGE]) {
    const samples = new Samples();
    const requests = {} as Record<PeerSide, number>;
    const tags = {} as Record<PeerSide, number>;
    await interleaved(sides, config.rounds, async (side, round) => {
      const listing = await fullListing(side.client, side.repo, n);
      if (listing.tags !== size) throw new Error(`${side.name}: a full listing returned ${listing.tags} tags, expected ${size}`);
      samples.add(side.name, round, listing.ms);
      requests[side.name] = listing.requests;
      tags[side.name] = listing.tags;
    });
    rows.push({ ...samples.row(size, `full listing by pages (?n=${n}, following Link)`), requests, tags });
  }
  progress(`  peer: ${size.toLocaleString('en-US')} tags measured`);
  return { rows, paging };
}

export async function runPeer(dynamoEndpoint: string, config: PeerConfig, progress: (line: string) => void): Promise<PeerResult> {
  const result: PeerResult = { config, rows: [], paging: [] };
  if (!distributionVersion()) {
    result.skipped = `${DISTRIBUTION_BINARY} is not installed (Debian: apt-get install docker-registry), so there is no peer to compare with.`;
    progress(`  peer: skipped, ${result.skipped}`);
    return result;
  }
  const started: RunningPeer[] = [];
  const clients: LoopbackClient[] = [];
  try {
    const distribution = await startDistribution();
    started.push(distribution);
    const ours = await startOurServer(dynamoEndpoint);
    started.push(ours);
    result.servers = { ours: ours.description, distribution: distribution.description };
    const token = await signLocalToken('peer', { ttlSeconds: 6 * 3600 });
    for (const size of config.sizes) {
      const repo = `peer/tags-${size}`;
      const sides: Side[] = [
        { name: 'ours', client: await prepareOurs(ours, repo, token), repo },
        { name: 'distribution', client: new LoopbackClient(distribution.url), repo },
      ];
      clients.push(...sides.map((side) => side.client));
      const measured = await measureSize(sides, size, config, progress);
      result.rows.push(...measured.rows);
      result.paging.push(...measured.paging);
    }
  } finally {
    for (const client of clients) client.close();
    for (const server of started.reverse()) await server.stop();
  }
  return result;
}
