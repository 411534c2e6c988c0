/**
 * `npm run bench [-- --quick] [-- --only cost,latency,scaling,sweep,coldstart,peer] [-- --out FILE]
 *   [-- --peer-tags 1000,10000]` (or PEER_TAGS=1000,10000: the peer section's repository sizes)
 *   [-- --merge]` (replace only the measured sections' figures in the existing results.json)
 *
 * Runs the benchmarks against DynamoDB Local through the real handlers and writes bench/RESULTS.md
 * (and the raw figures to bench/results.json). These are measurements, never assertions: nothing
 * here fails on a slow figure, and nothing of it runs under `npm test`.
 */
// Before any SDK import: no Node-20 deprecation notice, and no per-request log lines in the output.
process.env.LOG_LEVEL ??= 'error';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { collectMeta } from './lib/meta.js';
import { mergeResults } from './lib/merge.js';
import { renderReport } from './lib/report.js';
import type { BenchResults } from './lib/report.js';

const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));
const SECTIONS = ['cost', 'aws', 'coldstart', 'scaling', 'latency', 'sweep', 'peer'] as const;
type Section = (typeof SECTIONS)[number];

function parseArgs(argv: string[]) {
  const quick = argv.includes('--quick');
  const value = (flag: string) => {
    const index = argv.findIndex((arg) => arg === flag || arg.startsWith(`${flag}=`));
    if (index < 0) return undefined;
    return argv[index].includes('=') ? argv[index].slice(flag.length + 1) : argv[index + 1];
  };
  const only = value('--only')?.split(',').map((name) => name.trim()) as Section[] | undefined;
  for (const name of only ?? []) if (!SECTIONS.includes(name)) throw new Error(`unknown section ${name}; known: ${SECTIONS.join(', ')}`);
  const out = value('--out') ?? join(BENCH_DIR, quick ? 'RESULTS-quick.md' : 'RESULTS.md');
  const sections = new Set<Section>(only ?? SECTIONS);
  // The cold-start section's first-request probe lists the repository the cost section creates.
  if (sections.has('coldstart')) sections.add('cost');
  // The AWS cost table prices the cost section's per-request figures.
  if (sections.has('aws')) sections.add('cost');
  const peerTags = (value('--peer-tags') ?? process.env.PEER_TAGS)?.split(',').map(Number);
  if (peerTags?.some((tags) => !Number.isInteger(tags) || tags < 1)) throw new Error('--peer-tags takes repository sizes, e.g. 1000,10000');
  return { quick, sections, out, peerTags, merge: argv.includes('--merge') };
}

/** The peer section's default: one size that finishes in a few minutes (10,000 tags take about ten). */
const PEER_DEFAULT_TAGS = [1000];

export function configFor(quick: boolean, peerTags: number[] = PEER_DEFAULT_TAGS) {
  const peer = { sizes: peerTags, rounds: quick ? 3 : 5, gets: 200, pageRequests: quick ? 10 : 20 };
  return quick
    ? {
        costRuns: 3,
        coldStart: { runs: 3, listRuns: 5, firstRequestRuns: 2 },
        scaling: { sizes: [10, 1000, 10_000], rounds: 3, readBatch: 15, writeBatch: 8, depthPages: [2, 11, 51], depthRuns: 2 },
        latency: { requests: 200, runs: 1, warmup: 20 },
        sweep: { live: 2000, due: 100, pending: 200, runs: 3 },
        peer,
      }
    : {
        costRuns: 5,
        coldStart: { runs: 7, listRuns: 15, firstRequestRuns: 5 },
        scaling: { sizes: [10, 1000, 100_000], rounds: 4, readBatch: 40, writeBatch: 20, depthPages: [2, 11, 101, 301], depthRuns: 3 },
        latency: { requests: 1000, runs: 3, warmup: 20 },
        sweep: { live: 10_000, due: 100, pending: 1000, runs: 5 },
        peer,
      };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const config = configFor(args.quick, args.peerTags);
  const started = performance.now();
  const stamp = () => `[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s]`;
  const progress = (line: string) => process.stderr.write(`${stamp()} ${line}\n`);

  const { Bench } = await import('./lib/harness.js');
  const { runCost } = await import('./sections/cost.js');
  const { runColdStart } = await import('./sections/coldstart.js');
  const { runScaling } = await import('./sections/scaling.js');
  const { runLatency } = await import('./sections/latency.js');
  const { runSweepBench } = await import('./sections/sweep.js');
  const { runPeer } = await import('./sections/peer.js');
  const { runAwsCost } = await import('./sections/aws-cost.js');

  const meta = await collectMeta(args.quick);
  progress(`benchmarks (${args.quick ? 'quick' : 'full'}): ${[...args.sections].join(', ')}`);
  const results: BenchResults = { meta, config, sections: [...args.sections] };
  const bench = await Bench.start();
  progress(`DynamoDB Local at ${bench.endpoint}, local server at ${bench.server.url}`);
  // A failing section is recorded in the report; the others still run.
  const section = async (name: Section, title: string, run: () => Promise<void>) => {
    if (!args.sections.has(name)) return;
    progress(title);
    try {
      await run();
    } catch (error) {
      progress(`  ${name} failed: ${(error as Error)?.stack ?? error}`);
      (results.errors ??= {})[name] = String((error as Error)?.message ?? error);
      process.exitCode = 1;
    }
  };
  try {
    await section('cost', '1. round trips and capacity per request', async () => {
      results.cost = await runCost(bench, config.costRuns);
      results.capacitySeen = Object.fromEntries(bench.capacitySeen);
    });
    await section('aws', '7. background functions for the AWS cost table', async () => {
      results.awsCost = await runAwsCost(bench, config.costRuns);
    });
    await section('coldstart', '5. cold start (bundles, init time)', async () => {
      results.coldStart = await runColdStart(bench, config.coldStart, progress);
    });
    await section('scaling', '3. scaling with history', async () => {
      results.scaling = await runScaling(bench, config.scaling, progress);
    });
    await section('latency', '2. warm latency', async () => {
      results.latency = await runLatency(bench, config.latency, progress);
    });
    await section('sweep', '4. expiry sweep', async () => {
      results.sweep = await runSweepBench(bench, config.sweep, progress);
    });
    await section('peer', '6. side by side with Distribution (/v2)', async () => {
      results.peer = await runPeer(bench.endpoint, config.peer, progress);
    });
  } finally {
    await bench.stop();
  }
  results.meta.durationS = (performance.now() - started) / 1000;
  results.meta.loadAfter = (await import('node:os')).loadavg();
  const json = args.out.replace(/\.md$/, '.json').replace(/RESULTS/, 'results');
  const written = args.merge ? await mergeResults(json, results) : results;
  await writeFile(args.out, renderReport(written));
  await writeFile(json, `${JSON.stringify(written, null, 2)}\n`);
  progress(`wrote ${args.out} (${results.meta.durationS.toFixed(0)} s in all)`);
}

main().catch((error) => {
  process.stderr.write(`${(error as Error)?.stack ?? error}\n`);
  process.exitCode = 1;
});
