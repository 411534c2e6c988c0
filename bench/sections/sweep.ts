/**
 * 4. The expiry sweep over a repository of 10,000 live tags of which 100 have an expiration in the
 * past (and 1,000 more a pending one in the future), written exactly as setTagExpiration leaves
 * them. The sweep handler runs in-process; items read = due-index items (report.items_read) plus
 * the items its GetItem calls read.
 */
import type { Context } from 'aws-lambda';
import { buildContext } from '../../infra/local/lambda-context.js';
import { loadFunction } from '../../infra/local/server.js';
import type { SweepReport } from '../../shared/domain/sweep.js';
import type { TagRange } from '../../shared/store/records.js';
import type { Bench, Cost } from '../lib/harness.js';
import { expectStatus, resetUsage, snapshot } from '../lib/harness.js';
import { NAMESPACE, createRepository } from '../lib/fixture.js';
import { makeManifests, manifestItems, pointerItem, putAll, rangeItem, seedClient } from '../lib/seed.js';
import type { Item } from '../lib/seed.js';
import { median } from '../lib/stats.js';

export interface SweepConfig {
  live: number;
  due: number;
  pending: number;
  runs: number;
}

export interface SweepRun {
  report: SweepReport;
  cost: Cost;
  wallMs: number;
  /** report.items_read plus one item per GetItem. */
  itemsRead: number;
}

export interface SweepResult {
  config: SweepConfig;
  seedMs: number;
  /** Items the sweep read before the measured runs (nothing else may be due). */
  baselineItemsRead: number;
  runs: SweepRun[];
  itemsRead: number;
  itemsReadPerDue: number;
  indexItemsRead: number;
  roundTrips: number;
  rcu: number;
  wcu: number;
  msPerExpired: number;
  byCommand: Record<string, number>;
  met: boolean;
  /** Whether the expired tags were gone from the API afterwards. */
  verified: boolean;
}

type SweepHandler = (event: unknown, context: Context) => Promise<SweepReport>;

export async function runSweepBench(bench: Bench, config: SweepConfig, progress: (line: string) => void): Promise<SweepResult> {
  const token = await bench.token(NAMESPACE);
  const path = await createRepository(bench, token, 'sweep');
  const pk = `REPO#${path}`;
  const client = seedClient(bench.endpoint);
  const table = bench.server.registryTable;
  const handler = await loadFunction<SweepHandler>('expiry-sweep');
  if (!handler) throw new Error('functions/expiry-sweep.ts not found');
  const sweep = () => handler({ source: 'aws.events', 'detail-type': 'Scheduled Event' }, buildContext('expiry-sweep', { timeoutMs: 120_000 }));

  try {
    // Anything else due in the table would be counted too: drain it first and record what it was.
    const baseline = await sweep();
    const started = performance.now();
    const now = Date.now();
    const manifests = makeManifests(100, now - 3 * 3_600_000);
    const every = Math.floor(config.live / config.due);
    const dueRanges: TagRange[] = [];
    const items: Item[] = [];
    const refs = new Map<string, number>();
    for (let index = 0; index < config.live; index++) {
      const name = `tag-${String(index).padStart(5, '0')}`;
      const range: TagRange = {
        name,
        manifestDigest: manifests[index % manifests.length].digest,
        start: now - 2 * 3_600_000 + index,
        reversion: false,
      };
      refs.set(range.manifestDigest, (refs.get(range.manifestDigest) ?? 0) + 1);
      const isDue = index % every === 0 && dueRanges.length < config.due;
      const slot = index % every;
      const isPending = !isDue && slot >= 1 && slot <= Math.ceil(config.pending / config.due);
      if (isDue) {
        // Expiration passed a minute ago; not swept yet (as setTagExpiration left it).
        range.end = now - 60_000 - index;
        dueRanges.push(range);
      } else if (isPending) {
        range.end = now + 86_400_000 + index;
      }
      // setTagExpiration bumps the pointer's version.
      items.push(rangeItem(pk, range), pointerItem(pk, range, range.end === undefined ? 1 : 2));
    }
    for (const manifest of manifests) items.push(...manifestItems(pk, manifest, refs.get(manifest.digest) ?? 0));
    await putAll(client, table, items, 4);
    const seedMs = performance.now() - started;
    const pendingCount = items.filter((item) => item.type === 'range' && item.dueKind === 'expire').length - dueRanges.length;
    progress(`  seeded ${config.live} live tags (${dueRanges.length} due, ${pendingCount} pending) in ${(seedMs / 1000).toFixed(1)} s`);

    // Each run expires the due tags: put them back (as setTagExpiration left them) before every run.
    const reseedDue = () => putAll(client, table, dueRanges.flatMap((range) => [rangeItem(pk, range), pointerItem(pk, range, 2)]));

    const runs: SweepRun[] = [];
    for (let run = 0; run < config.runs; run++) {
      await reseedDue();
      bench.askCapacity = true;
      resetUsage();
      const begun = performance.now();
      let report: SweepReport;
      try {
        report = await sweep();
      } finally {
        bench.askCapacity = false;
      }
      const wallMs = performance.now() - begun;
      const cost = snapshot();
      if (report.expired !== dueRanges.length) throw new Error(`sweep expired ${report.expired}, expected ${dueRanges.length}: ${JSON.stringify(report)} ${JSON.stringify(cost.byCommand)}`);
      runs.push({ report, cost, wallMs, itemsRead: report.items_read + (cost.byCommand.GetItemCommand ?? 0) });
    }

    // The expired tags are gone from the API (and a pending one is still there).
    const gone = await bench.inProcess({ method: 'GET', path: `/v2/${path}/manifests/${dueRanges[0].name}`, token });
    const kept = await bench.inProcess({ method: 'GET', path: `/v2/${path}/manifests/tag-00001`, token });
    expectStatus(kept, 200, 'a live tag');
    const verified = gone.status === 404 && kept.status === 200;

    const itemsRead = median(runs.map((run) => run.itemsRead));
    const due = dueRanges.length;
    const typical = runs.find((run) => run.itemsRead === itemsRead) ?? runs[0];
    return {
      config,
      seedMs,
      baselineItemsRead: baseline.items_read,
      runs,
      itemsRead,
      itemsReadPerDue: itemsRead / due,
      indexItemsRead: median(runs.map((run) => run.report.items_read)),
      roundTrips: median(runs.map((run) => run.cost.roundTrips)),
      rcu: median(runs.map((run) => run.cost.rcu)),
      wcu: median(runs.map((run) => run.cost.wcu)),
      msPerExpired: median(runs.map((run) => run.wallMs / run.report.expired)),
      byCommand: typical.cost.byCommand,
      met: itemsRead <= 2 * due,
      verified,
    };
  } finally {
    client.destroy();
  }
}
