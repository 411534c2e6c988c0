/**
 * 5. Cold start: each function bundled with bench/bundle.ts (the CDK stack's esbuild settings), its
 * size, and its module initialization time in a fresh Node process: time from process start
 * (performance.timeOrigin) to `await import(bundle)` resolved, minus the same for an empty module.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import type { Metafile } from 'esbuild';
import { PROJECT_ROOT } from '../../infra/local/dynamodb-local.js';
import { apiHandlers, backgroundFunctions, routes } from '../../infra/routes.js';
import { bundleOptions } from '../bundle.js';
import type { Bench, BenchRequest } from '../lib/harness.js';
import { median } from '../lib/stats.js';

export interface ColdStartConfig {
  runs: number;
  /** Extra runs for the list handler (its init time has a target). */
  listRuns: number;
  firstRequestRuns: number;
}

export interface BundleRow {
  fn: string;
  bytes: number;
  gzipBytes: number;
  initMs: number;
  /** Median time to import resolved, before subtracting the baseline. */
  rawMs: number;
  runs: number;
  sizeMet: boolean;
  /** True when the function's routes grant it no table access (it should not need the AWS SDK). */
  noTables: boolean;
  /** Whether the AWS SDK is in the bundle, and the import chain that brings it in. */
  hasSdk: boolean;
  sdkVia: string[];
}

export interface ColdStartResult {
  bundles: BundleRow[];
  baselineMs: number;
  buildMs: number;
  /** Largest inputs of the list handler's bundle, by package. */
  listComposition: { input: string; bytes: number }[];
  listInitMet: boolean;
  /** In a fresh process: import, then the first list request against DynamoDB Local. */
  firstRequest?: { importMs: number; firstRequestMs: number; secondRequestMs: number; status: number; runs: number };
  bundlingMatchesCdk: { matches: boolean; differences: string[] } | null;
  /** What-if: the same bundles with an env-only credential provider (bench/lib/env-credentials.ts). */
  envCredentials: { fn: string; bytes: number; initMs: number }[];
}

const LOADER = `
const started = performance.now();
await import(process.argv[2]);
process.stdout.write(JSON.stringify({ importedMs: performance.now(), startMs: started }));
`;

const INVOKER = `
import { readFileSync } from 'node:fs';
const mod = await import(process.argv[2]);
const importedMs = performance.now();
const { event } = JSON.parse(readFileSync(process.argv[3], 'utf8'));
const context = { functionName: 'list-tags', awsRequestId: 'bench', getRemainingTimeInMillis: () => 30000 };
const first = await mod.handler({ ...event, requestContext: { ...event.requestContext, timeEpoch: Date.now() } }, context);
const firstDone = performance.now();
await mod.handler(event, context);
const secondDone = performance.now();
process.stdout.write(JSON.stringify({ importedMs, firstRequestMs: firstDone - importedMs, secondRequestMs: secondDone - firstDone, status: first.statusCode }));
`;

function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'error', NODE_NO_WARNINGS: '1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...extra };
  delete env.NODE_OPTIONS;
  return env;
}

function runNode(args: string[], env: NodeJS.ProcessEnv): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { env, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as Record<string, number>);
    });
  });
}

/** The shortest import chain from `entry` to a module of the AWS SDK, per the metafile. */
function sdkChain(metafile: Metafile, entry: string): string[] {
  const previous = new Map<string, string | null>([[entry, null]]);
  const queue = [entry];
  while (queue.length) {
    const current = queue.shift() as string;
    if (/node_modules\/@aws-sdk\//.test(current)) {
      const chain: string[] = [];
      for (let at: string | null = current; at !== null; at = previous.get(at) ?? null) chain.unshift(at);
      // Stop at the first SDK module; later hops are the SDK's own.
      return chain.map((path) => path.replace(/^.*node_modules\//, ''));
    }
    for (const imported of metafile.inputs[current]?.imports ?? []) {
      if (!previous.has(imported.path)) {
        previous.set(imported.path, current);
        queue.push(imported.path);
      }
    }
  }
  return [];
}

function packageOf(input: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (match) return match[1];
  const top = input.split('/')[0];
  return top === 'shared' || top === 'functions' ? `${top}/ (service code)` : input;
}

async function compareWithCdk(): Promise<{ matches: boolean; differences: string[] } | null> {
  try {
    const { BUNDLING } = await import('../../infra/constructs/service-function.js');
    const differences: string[] = [];
    const same = (what: string, ours: unknown, theirs: unknown) => {
      if (JSON.stringify(ours) !== JSON.stringify(theirs)) differences.push(`${what}: bench ${JSON.stringify(ours)} vs CDK ${JSON.stringify(theirs)}`);
    };
    same('format', bundleOptions.format, BUNDLING.format);
    same('target', bundleOptions.target, BUNDLING.target);
    same('mainFields', bundleOptions.mainFields, BUNDLING.mainFields);
    same('minify', bundleOptions.minify, BUNDLING.minify);
    same('sourcemap', bundleOptions.sourcemap, BUNDLING.sourceMap);
    same('external', bundleOptions.external, BUNDLING.externalModules);
    same('banner', (bundleOptions.banner as Record<string, string>).js, BUNDLING.banner);
    return { matches: differences.length === 0, differences };
  } catch {
    return null;
  }
}

export async function runColdStart(bench: Bench | null, config: ColdStartConfig, progress: (line: string) => void): Promise<ColdStartResult> {
  const dir = await mkdtemp(join(tmpdir(), 'tag-service-bench-'));
  try {
    const names = [...apiHandlers(), backgroundFunctions.auditStream.handler, backgroundFunctions.expirySweep.handler];
    const begun = performance.now();
    const result = await build({
      ...bundleOptions,
      entryPoints: Object.fromEntries(names.map((name) => [name, join(PROJECT_ROOT, 'functions', `${name}.ts`)])),
      outdir: dir,
      absWorkingDir: PROJECT_ROOT,
      metafile: true,
      write: true,
    });
    const buildMs = performance.now() - begun;
    const metafile = result.metafile as Metafile;
    progress(`  bundled ${names.length} functions in ${(buildMs / 1000).toFixed(1)} s`);

    const loader = join(dir, 'loader.mjs');
    const empty = join(dir, 'empty.mjs');
    await writeFile(loader, LOADER);
    await writeFile(empty, '');
    const env = childEnv();
    const samples = new Map<string, number[]>([['(empty)', []]]);
    const fileOf = (name: string) => (name === '(empty)' ? empty : join(dir, `${name}.mjs`));
    const maxRuns = Math.max(config.runs, config.listRuns);
    for (let run = 0; run < maxRuns; run++) {
      // The baseline runs in every round, next to the bundles it is subtracted from.
      const round = run < config.runs ? ['(empty)', ...names] : ['(empty)', 'list-tags'];
      for (const name of round) {
        const { importedMs } = await runNode([loader, pathToFileURL(fileOf(name)).href], env);
        const list = samples.get(name) ?? [];
        list.push(importedMs);
        samples.set(name, list);
      }
    }
    const baselineMs = median(samples.get('(empty)')!);
    const bundles: BundleRow[] = [];
    for (const name of names) {
      const file = fileOf(name);
      const bytes = (await stat(file)).size;
      const gzipBytes = gzipSync(await readFile(file), { level: 9 }).length;
      const raw = median(samples.get(name)!);
      const output = Object.entries(metafile.outputs).find(([path]) => path.endsWith(`/${name}.mjs`))?.[1];
      const chain = output?.entryPoint ? sdkChain(metafile, output.entryPoint) : [];
      const own = routes.filter((route) => route.handler === name);
      bundles.push({
        fn: name,
        bytes,
        gzipBytes,
        rawMs: raw,
        initMs: raw - baselineMs,
        runs: samples.get(name)!.length,
        sizeMet: bytes <= 300 * 1024,
        noTables: own.length > 0 && own.every((route) => !route.access.registry && !route.access.audit),
        hasSdk: chain.length > 0,
        sdkVia: chain,
      });
    }

    const listOutput = Object.entries(metafile.outputs).find(([file]) => file.endsWith('list-tags.mjs'))?.[1];
    const byPackage = new Map<string, number>();
    for (const [input, { bytesInOutput }] of Object.entries(listOutput?.inputs ?? {})) {
      byPackage.set(packageOf(input), (byPackage.get(packageOf(input)) ?? 0) + bytesInOutput);
    }
    const listComposition = [...byPackage].map(([input, bytes]) => ({ input, bytes })).sort((a, b) => b.bytes - a.bytes).slice(0, 10);

    let firstRequest: ColdStartResult['firstRequest'];
    if (bench && config.firstRequestRuns > 0) {
      const path = '/api/v1/repository/bench/costs/tag/';
      const request: BenchRequest = { method: 'GET', path, token: await bench.token('bench') };
      const { event } = await bench.prepare(request);
      const eventFile = join(dir, 'event.json');
      await writeFile(eventFile, JSON.stringify({ event }));
      const invoker = join(dir, 'invoke.mjs');
      await writeFile(invoker, INVOKER);
      const runs: Record<string, number>[] = [];
      for (let run = 0; run < config.firstRequestRuns; run++) {
        runs.push(await runNode([invoker, pathToFileURL(fileOf('list-tags')).href, eventFile], childEnv({ TAG_SERVICE_LOCAL: '1' })));
      }
      firstRequest = {
        importMs: median(runs.map((run) => run.importedMs)) - baselineMs,
        firstRequestMs: median(runs.map((run) => run.firstRequestMs)),
        secondRequestMs: median(runs.map((run) => run.secondRequestMs)),
        status: runs[0].status,
        runs: runs.length,
      };
    }

    // What-if: env-only credentials instead of the SDK's default chain (SSO, INI, STS web identity...).
    const whatIfNames = ['list-tags', 'change-tag'];
    const whatIfDir = join(dir, 'env-credentials');
    await build({
      ...bundleOptions,
      alias: { '@aws-sdk/credential-provider-node': './bench/lib/env-credentials.ts' },
      entryPoints: Object.fromEntries(whatIfNames.map((name) => [name, join(PROJECT_ROOT, 'functions', `${name}.ts`)])),
      outdir: whatIfDir,
      absWorkingDir: PROJECT_ROOT,
      write: true,
    });
    const whatIf = new Map<string, number[]>(whatIfNames.map((name) => [name, []]));
    const whatIfBaseline: number[] = [];
    for (let run = 0; run < config.runs; run++) {
      whatIfBaseline.push((await runNode([loader, pathToFileURL(empty).href], env)).importedMs);
      for (const name of whatIfNames) {
        whatIf.get(name)!.push((await runNode([loader, pathToFileURL(join(whatIfDir, `${name}.mjs`)).href], env)).importedMs);
      }
    }
    const envCredentials = await Promise.all(
      whatIfNames.map(async (name) => ({
        fn: name,
        bytes: (await stat(join(whatIfDir, `${name}.mjs`))).size,
        initMs: median(whatIf.get(name)!) - median(whatIfBaseline),
      })),
    );

    const list = bundles.find((row) => row.fn === 'list-tags');
    return {
      bundles,
      baselineMs,
      buildMs,
      listComposition,
      listInitMet: list !== undefined && list.initMs <= 100,
      firstRequest,
      bundlingMatchesCdk: await compareWithCdk(),
      envCredentials,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
