/**
 * Property-based fuzzing of every route of infra/routes.ts against the real local server (gateway,
 * handlers, DynamoDB Local, audit stream): hostile paths, query strings, headers, tokens and bodies.
 * Every response must be 2xx or a documented 4xx in its route's error shape, a refused mutating
 * request must change nothing stored, and a token that names nobody must be anonymous.
 *
 *   FUZZ_SEED=n      the seed (default fixed; printed with every failure)
 *   FUZZ_SECONDS=s   total time budget (default 20)          FUZZ_RUNS=n   runs per property cap
 *   FUZZ_ROUTE=text  only the properties whose name contains text
 *   FUZZ_STRICT=1    ignore known-failures.ts                FUZZ_COLLECT=file  never fail; write every
 *                                                            distinct failure class to file (JSON)
 */
import { writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/local-server.js';
import { caseArbitrary } from './cases.js';
import { describeRequest, send } from './http.js';
import { knownFailures, type KnownFailure, type Reproducer } from './known-failures.js';
import { poisonArbitrary } from './manifest-generators.js';
import type { Violation } from './oracle.js';
import { fuzzRoutes } from './route-table.js';
import { describeViolation, Runner, signature, toRawRequest, type FuzzCase } from './runner.js';
import { buildTokens, type TokenChoice } from './tokens.js';
import { buildWorld, type World } from './world.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_202);
const SECONDS = Number(process.env.FUZZ_SECONDS ?? 20);
const RUNS = Number(process.env.FUZZ_RUNS ?? Math.max(2_000, SECONDS * 40));
const ONLY = process.env.FUZZ_ROUTE;
const STRICT = process.env.FUZZ_STRICT === '1';
const COLLECT = process.env.FUZZ_COLLECT;

/** Share of the budget: the route properties split 75%, the poison property 20%, Node-level 5%. */
const routeBudgetMs = (SECONDS * 750) / fuzzRoutes.length;
const poisonBudgetMs = SECONDS * 200;
const nodeBudgetMs = SECONDS * 50;

/**
 * Deadlines follow one schedule for the whole file: a property that overran (a slow case, a busy
 * machine) shortens the ones after it, so the file stays near its budget.
 */
let scheduleStart: number | undefined;
let scheduledMs = 0;
function deadlineAfter(budgetMs: number): number {
  scheduleStart ??= Date.now();
  scheduledMs += budgetMs;
  return scheduleStart + scheduledMs;
}

let server: TestServer;
let world: World;
let tokens: TokenChoice[];
let runner: Runner;

interface ClassRecord {
  signature: string;
  count: number;
  known?: string;
  example: string;
}
const classes = new Map<string, ClassRecord>();
/** Requests per property, printed at the end (a budget that runs nothing is a budget too small). */
const runs = new Map<string, number>();

/** A seed per property, stable when routes are added elsewhere in the table. */
function seedFor(name: string): number {
  let hash = SEED;
  for (const char of name) hash = (Math.imul(hash, 31) + char.charCodeAt(0)) | 0;
  return hash;
}

function knownFor(violation: Violation): KnownFailure | undefined {
  return STRICT ? undefined : knownFailures.find((entry) => entry.matches(violation));
}

/** Records the violations; throws on any that no known-failure entry covers (unless collecting). */
function settle(name: string, violations: Violation[]): void {
  runs.set(name, (runs.get(name) ?? 0) + 1);
  const unknown: Violation[] = [];
  for (const violation of violations) {
    const known = knownFor(violation);
    const key = signature(violation);
    const record = classes.get(key) ?? { signature: key, count: 0, known: known?.id, example: describeViolation(violation) };
    record.count += 1;
    classes.set(key, record);
    if (!known) unknown.push(violation);
  }
  if (unknown.length > 0 && !COLLECT) {
    throw new Error(
      `${unknown.map(describeViolation).join('\n')}\n` +
        `(property "${name}", FUZZ_SEED=${SEED}; replay with FUZZ_SEED=${SEED} FUZZ_ROUTE='${name}' npx vitest run test/fuzz)`,
    );
  }
}

/** Runs at least this many cases per property, however slow the machine. */
const MIN_RUNS = 2;
/** Once a property fails, fast-check shrinks the counterexample for at most this long. */
const SHRINK_BUDGET_MS = 60_000;

/**
 * fc.assert with a time budget of our own: past the deadline the remaining runs return at once
 * (fast-check's interruptAfterTimeLimit would abandon the request in flight, whose writes would then
 * land during the next property, and skipAllAfterTimeLimit counts skips as failures). After a
 * failure the deadline no longer applies, so shrinking replays real requests, within its own budget.
 */
async function fuzz<T>(name: string, budgetMs: number, arbitrary: fc.Arbitrary<T>, check: (value: T) => Promise<void>): Promise<void> {
  const deadline = deadlineAfter(budgetMs);
  let executed = 0;
  let shrinkDeadline: number | undefined;
  const pastDeadline = () => (shrinkDeadline === undefined ? executed >= MIN_RUNS && Date.now() > deadline : Date.now() > shrinkDeadline);
  // Past the deadline nothing is generated either: the remaining runs would otherwise still build
  // their requests (deep bodies, large manifests) only to skip them.
  const gated = fc.constant(undefined).chain((): fc.Arbitrary<T | undefined> => (pastDeadline() ? fc.constant(undefined) : arbitrary));
  await fc.assert(
    fc.asyncProperty(gated, async (value) => {
      if (value === undefined || pastDeadline()) return;
      executed += 1;
      try {
        await check(value);
      } catch (error) {
        shrinkDeadline ??= Date.now() + SHRINK_BUDGET_MS;
        throw error;
      }
    }),
    { seed: seedFor(name), numRuns: RUNS, endOnFailure: !!COLLECT },
  );
}

/** The vitest timeout of a property: its budget, shrinking, and slack for a slow machine. */
const timeoutFor = (budgetMs: number) => budgetMs + SHRINK_BUDGET_MS + 120_000;

const selected = (name: string) => !ONLY || name.includes(ONLY);

beforeAll(async () => {
  server = await startTestServer();
  world = await buildWorld(server);
  tokens = await buildTokens(world);
  runner = new Runner(world);
}, 180_000);

afterAll(async () => {
  const sorted = [...classes.values()].sort((a, b) => a.signature.localeCompare(b.signature));
  if (COLLECT) writeFileSync(COLLECT, `${JSON.stringify({ seed: SEED, seconds: SECONDS, classes: sorted }, null, 2)}\n`);
  const total = [...runs.values()].reduce((sum, count) => sum + count, 0);
  if (runs.size > 0) console.log(`fuzz (FUZZ_SEED=${SEED}, FUZZ_SECONDS=${SECONDS}): ${total} cases over ${runs.size} properties (fewest: ${Math.min(...runs.values())})`);
  const known = sorted.filter((record) => record.known);
  if (known.length > 0) {
    const byEntry = new Map<string, number>();
    for (const record of known) byEntry.set(record.known!, (byEntry.get(record.known!) ?? 0) + record.count);
    console.log(`fuzz (FUZZ_SEED=${SEED}): known failures still hit: ${[...byEntry].map(([id, count]) => `${id} ×${count}`).join(', ')}`);
  }
  await server?.stop();
});

describe('every route of infra/routes.ts', () => {
  for (const route of fuzzRoutes) {
    it.skipIf(!selected(route.key))(route.key, async () => {
      await fuzz(route.key, routeBudgetMs, caseArbitrary(route, world, tokens), async (fuzzCase) => {
        settle(route.key, await runner.run(fuzzCase));
      });
    }, timeoutFor(routeBudgetMs));
  }
});

describe('manifests the service accepts never break a listing', () => {
  let counter = 0;
  const name = 'poison manifests';
  it.skipIf(!selected(name))(name, async () => {
    const owner = tokens.find((choice) => choice.label === 'devtable')!;
    await fuzz(name, poisonBudgetMs, fc.tuple(poisonArbitrary(world), fc.boolean()), async ([manifest, byTag]) => {
        const repo = `poison${++counter}`;
        const created = await server.api('POST', '/api/v1/repository', { token: owner.token, body: { namespace: 'devtable', repository: repo, visibility: 'public' } });
        expect(created.status, created.text).toBe(201);
        const context = { poison: manifest.kind, detail: manifest.detail };
        const base: Omit<FuzzCase, 'method' | 'target'> = { headers: {}, token: owner, form: 'Bearer', context };
        const reference = byTag ? 'latest' : manifest.digest;
        const pushed: FuzzCase = {
          ...base,
          method: 'PUT',
          target: `/v2/devtable/${repo}/manifests/${reference}`,
          headers: manifest.contentType ? { 'content-type': manifest.contentType } : {},
          body: Buffer.from(manifest.text),
        };
        const violations = await runner.run(pushed);
        // Whatever was accepted must stay readable by everyone, anonymous callers included (public repository).
        const reads = [
          `/api/v1/repository/devtable/${repo}/tag/`,
          `/api/v1/repository/devtable/${repo}/tag/?onlyActiveTags=true&limit=100`,
          `/api/v1/repository/devtable/${repo}/tag/latest/images`,
          `/api/v1/repository/devtable/${repo}/tag/latest/images?owned=true`,
          `/v2/devtable/${repo}/manifests/${manifest.digest}`,
          `/v2/devtable/${repo}/tags/list`,
        ];
        for (const target of reads) {
          const found = await runner.run({ ...base, token: { label: 'none', anonymous: true }, method: 'GET', target, context: { ...context, after: 'push' } });
          violations.push(...found.map((violation) => ({ ...violation, kind: 'broken-after-push' as const, message: `after a push of ${manifest.detail}: ${violation.message}` })));
        }
        settle(name, violations);
    });
  }, timeoutFor(poisonBudgetMs));
});

describe('requests Node itself refuses', () => {
  const name = 'node-level refusals';
  it.skipIf(!selected(name))(name, async () => {
    const paths = [
      '/api/v1/repository/devtable/simple/tag/', '/api/v1/repository/devtable/simple/tag/latest', '/v2/devtable/simple/manifests/latest',
      `/v2/devtable/simple/blobs/sha256:${'0'.repeat(64)}`, '/v2/', '/api/v1/user/', '/api/v1/user/logs', '/nowhere',
    ];
    const methods = ['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'PROPFIND', 'FOO', 'get'];
    // Header padding under, around and over the gateway's 10 KB (infra/local/limits.ts), and over Node's own 16 KiB.
    const request = fc.tuple(fc.constantFrom(...paths), fc.constantFrom(...methods), fc.constantFrom(0, 9_000, 10_500, 20_000, 70_000));
    await fuzz(name, nodeBudgetMs, request, async ([path, method, padding]) => {
      const headers: Record<string, string> = padding ? { 'x-pad': 'p'.repeat(padding) } : {};
      settle(name, await runner.run({ method, target: path, headers, token: { label: 'none', anonymous: true }, form: 'Bearer', context: { padding: String(padding) } }));
    });
  }, timeoutFor(nodeBudgetMs));
});

// Last: some reproducers store extreme manifests, which would slow the state probes of the properties.
describe('known failures (test/fuzz/known-failures.ts) still reproduce', () => {
  it('has unique ids, each tied to an issue item', () => {
    expect(new Set(knownFailures.map((entry) => entry.id)).size).toBe(knownFailures.length);
    for (const entry of knownFailures) expect(entry.issue, entry.id).toMatch(/^\d+\.\d+$/);
  });
  for (const entry of knownFailures) {
    it.skipIf(STRICT || !selected(entry.id))(entry.id, async () => {
      const toCase = ({ tokenLabel, form, ...rest }: Reproducer): FuzzCase => {
        const token = tokens.find((choice) => choice.label === tokenLabel);
        if (!token) throw new Error(`unknown token label ${tokenLabel}`);
        return { ...rest, token, form: form ?? 'Bearer', context: { ...rest.context, reproducer: entry.id } };
      };
      for (const step of entry.setup ?? []) {
        const response = await send(server.url, toRawRequest(toCase(step)));
        expect(response.status, `setup of ${entry.id}: ${step.method} ${step.target} → ${response.text.slice(0, 300)}`).toBeLessThan(300);
      }
      const fuzzCase = toCase(entry.reproducer);
      const violations = await runner.run(fuzzCase);
      expect(
        violations.some((violation) => entry.matches(violation)),
        `${entry.id} no longer reproduces (${describeRequest(toRawRequest(fuzzCase))}; got ${violations.map((v) => v.kind).join(', ') || 'no violation'}): ` +
          'its fix has landed, so delete the entry from test/fuzz/known-failures.ts',
      ).toBe(true);
    });
  }
});
