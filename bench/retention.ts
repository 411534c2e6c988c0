/**
 * `npm run bench:retention [-- --repos N --tags M]`: what one auto-prune sweep costs, in items read,
 * round trips and time, on DynamoDB Local (in memory), for
 *   A. N repositories × M tags under one namespace policy (number_of_tags M−10: prunes 10 per repository);
 *   B. a registry of N repositories (M tags each) where one repository has a policy.
 * The sweep runs in-process (shared/domain/sweep.ts) with its usual 45 s budget, invocation after
 * invocation until nothing is due; each invocation's report is kept. Seeding writes the items
 * directly (bench/lib/seed.ts). Writes bench/RETENTION.md.
 */
import { writeFileSync } from 'node:fs';
import { startDynamoDbLocal } from '../infra/local/dynamodb-local.js';
import { ensureTables } from '../infra/local/tables.js';
import { runSweep } from '../shared/domain/sweep.js';
import type { SweepReport } from '../shared/domain/sweep.js';
import { createDynamoClient, resetUsage, usage } from '../shared/store/client.js';
import { createStore } from '../shared/store/index.js';
import type { TagRange } from '../shared/store/records.js';
import { makeManifests, manifestItems, pointerItem, putAll, rangeItem, seedClient } from './lib/seed.js';
import type { Item } from './lib/seed.js';

const arg = (name: string, fallback: number) => {
  const index = process.argv.indexOf(name);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};
const REPOS = arg('--repos', 1000);
const TAGS = arg('--tags', 100);
const log = (line: string) => process.stderr.write(`${line}\n`);

const dynamo = await startDynamoDbLocal({ inMemory: true });
const tables = { registryTable: 'retention-registry', auditTable: 'retention-audit' };
await ensureTables(dynamo.endpoint, tables);
const seed = seedClient(dynamo.endpoint);
const store = createStore({ client: createDynamoClient({ region: 'us-east-1', endpoint: dynamo.endpoint }), tables: { registry: tables.registryTable, audit: tables.auditTable } });
const now = Date.now();
const clock = { now: () => now + 60_000 };
const manifests = makeManifests(20, now - 3_600_000);

async function seedNamespace(namespace: string, repos: number, tags: number): Promise<void> {
  const started = performance.now();
  const namespaceItem = { PK: `NS#${namespace}`, SK: '#NS', type: 'namespace', name: namespace, kind: 'organization', admins: new Set(['bench']), createdAt: now };
  await putAll(seed, tables.registryTable, [namespaceItem]);
  for (let repo = 0; repo < repos; repo++) {
    const name = `repo-${String(repo).padStart(4, '0')}`;
    const pk = `REPO#${namespace}/${name}`;
    const items: Item[] = [{ PK: pk, SK: '#REPO', type: 'repository', namespace, name, reposOf: namespace, kind: 'image', visibility: 'private', description: '', createdAt: now }];
    const refs = new Map<string, number>();
    for (let index = 0; index < tags; index++) {
      const range: TagRange = { name: `t-${index}`, manifestDigest: manifests[index % manifests.length].digest, start: now - 3_000_000 + index * 1000, reversion: false };
      refs.set(range.manifestDigest, (refs.get(range.manifestDigest) ?? 0) + 1);
      items.push(rangeItem(pk, range), pointerItem(pk, range, 1));
    }
    for (const manifest of manifests) if (refs.has(manifest.digest)) items.push(...manifestItems(pk, manifest, refs.get(manifest.digest)!));
    await putAll(seed, tables.registryTable, items, 4);
  }
  log(`  seeded ${namespace}: ${repos} repositories × ${tags} tags in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

interface Measured {
  invocations: SweepReport[];
  pruned: number;
  itemsRead: number;
  roundTrips: number;
  wallMs: number;
}

async function sweepUntilIdle(): Promise<Measured> {
  const invocations: SweepReport[] = [];
  resetUsage();
  const started = performance.now();
  do invocations.push(await runSweep({ store, clock }, { budgetMs: 45_000, batchSize: 100 }));
  while (invocations.at(-1)!.more && invocations.length < 50);
  return {
    invocations,
    pruned: invocations.reduce((sum, report) => sum + report.pruned_tags, 0),
    itemsRead: invocations.reduce((sum, report) => sum + report.items_read, 0),
    roundTrips: usage.roundTrips,
    wallMs: performance.now() - started,
  };
}

const policy = (uuid: string, value: number) => ({ uuid, method: 'number_of_tags' as const, value, tagPattern: null, tagPatternMatches: true, createdAt: now });
const change = (namespace: string, repository: string | null) => ({ kind: 'bench', namespace, repository, performer: null, ip: null, at: now, metadata: {} });

try {
  log(`A. ${REPOS} repositories × ${TAGS} tags, one namespace policy`);
  await seedNamespace('wide', REPOS, TAGS);
  await store.retention.createPolicy({ namespace: 'wide', repository: null }, policy('00000000-0000-4000-8000-00000000000a', TAGS - 10), change('wide', null));
  const wide = await sweepUntilIdle();
  log(`  pruned ${wide.pruned}, items read ${wide.itemsRead}, ${wide.roundTrips} round trips, ${(wide.wallMs / 1000).toFixed(1)} s, ${wide.invocations.length} invocation(s)`);

  log(`B. ${REPOS} repositories × ${TAGS} tags, one repository with a policy`);
  await seedNamespace('registry', REPOS, TAGS);
  const idle = await sweepUntilIdle();
  const chosen = `repo-${String(Math.floor(REPOS / 2)).padStart(4, '0')}`;
  await store.retention.createPolicy({ namespace: 'registry', repository: chosen }, policy('00000000-0000-4000-8000-00000000000b', TAGS - 10), change('registry', chosen));
  const one = await sweepUntilIdle();
  log(`  pruned ${one.pruned}, items read ${one.itemsRead}, ${one.roundTrips} round trips, ${(one.wallMs / 1000).toFixed(1)} s (idle sweep before: ${idle.itemsRead} items)`);

  const row = (label: string, measured: Measured) =>
    `| ${label} | ${measured.pruned} | ${measured.itemsRead} | ${measured.roundTrips} | ${(measured.wallMs / 1000).toFixed(1)} | ${measured.invocations.length} |`;
  writeFileSync(
    'bench/RETENTION.md',
    [
      '# Auto-prune sweep cost',
      '',
      `\`npm run bench:retention -- --repos ${REPOS} --tags ${TAGS}\` on DynamoDB Local (in memory), ${new Date(now).toISOString().slice(0, 10)}.`,
      'Items read = due-index items plus the alive pointers the jobs read (activeTags pages); round trips = every',
      'DynamoDB request of the sweep (reads, the prune transactions, the run logs). Time is wall time on a shared',
      'development machine: compare the rows, not the absolute figures.',
      '',
      '| scenario | tags pruned | items read | round trips | seconds | sweep invocations |',
      '|---|---|---|---|---|---|',
      row(`A. ${REPOS} repositories × ${TAGS} tags, one namespace policy (keep ${TAGS - 10})`, wide),
      row(`B. ${REPOS} repositories × ${TAGS} tags, one repository with a policy (keep ${TAGS - 10})`, one),
      '',
      `In B the other ${REPOS - 1} repositories are never read: the sweep reads its queue (one job) and the one`,
      `repository's ${TAGS} pointers; an idle sweep over the same registry read ${idle.itemsRead} items.`,
      '',
    ].join('\n'),
  );
} finally {
  await dynamo.stop();
}
