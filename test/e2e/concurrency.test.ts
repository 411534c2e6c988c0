/**
 * Concurrent PUT, DELETE and restore on one tag over HTTP: they must serialize through the
 * transactions' conditions (with the bounded retry), so no request fails with a 5xx, no range is
 * lost and no two ranges of one name are ever open together.
 *
 * The requests go through the real gateway and handlers; the checks afterwards read the history at
 * millisecond precision straight from the store (the API's start_ts/end_ts are whole seconds).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoPK } from '../../shared/store/index.js';
import type { TagRange } from '../../shared/store/index.js';
import { createRepository, listTags, push } from '../support/fixtures.js';
import { startTestServer } from '../support/local-server.js';
import type { ApiResponse, TestServer } from '../support/local-server.js';
import { imageManifest } from '../support/manifests.js';
import type { BuiltManifest } from '../support/manifests.js';

let server: TestServer;
let token: string;
const NS = 'devtable';
const REPO = 'race';
const PATH = `${NS}/${REPO}`;
const PK = repoPK(NS, REPO);
/** Manifests kept reachable by tags of their own, so PUT {manifest_digest} may point `hot` at them. */
const targets: BuiltManifest[] = [];

beforeAll(async () => {
  server = await startTestServer();
  token = await server.tokenFor('devtable');
  await createRepository(server, token, NS, REPO);
  for (let index = 0; index < 10; index++) targets.push(await push(server, token, PATH, `keep-${index}`, imageManifest()));
});

afterAll(async () => {
  if (staleIndexReads.length) console.info(`[concurrency] stale tagHistory reads right after the race: ${staleIndexReads.join('; ')}`);
  await server?.stop();
});

type Kind = 'put' | 'delete' | 'restore';

interface Outcome {
  kind: Kind;
  status: number;
  body: unknown;
}

function request(kind: Kind, tag: string, digest: string): Promise<ApiResponse> {
  const path = `/api/v1/repository/${PATH}/tag/${tag}`;
  if (kind === 'put') return server.api('PUT', path, { token, body: { manifest_digest: digest } });
  if (kind === 'delete') return server.api('DELETE', path, { token });
  return server.api('POST', `${path}/restore`, { token, body: { manifest_digest: digest } });
}

/** What each kind of request may answer when it loses to concurrent writers (never a 5xx). */
const EXPECTED: Record<Kind, number[]> = {
  put: [201, 400],
  // 404: the tag was not alive when this DELETE read it.
  delete: [204, 404, 400],
  restore: [200, 400],
};
const SUCCESS: Record<Kind, number> = { put: 201, delete: 204, restore: 200 };

/** Index reads (tagHistory) that disagreed with the table right after the writes. */
const staleIndexReads: string[] = [];

/**
 * The ranges of `tag`, oldest first, from the table itself (strongly consistent); the tagHistory
 * index is read too and any disagreement recorded (GSIs are eventually consistent).
 */
async function ranges(tag: string): Promise<TagRange[]> {
  const query = (filter: { kind: 'all' } | { kind: 'tag'; name: string }) =>
    server.deps.store.tags.queryHistory({ pk: PK, filter, skip: 0, limit: 1000, readBudget: Number.POSITIVE_INFINITY });
  const table = (await query({ kind: 'all' })).ranges.filter((range) => range.name === tag).sort((a, b) => a.start - b.start);
  const index = (await query({ kind: 'tag', name: tag })).ranges.sort((a, b) => a.start - b.start);
  const show = (list: TagRange[]) => JSON.stringify(list.map((range) => [range.start, range.end ?? null, range.endedBy ?? null]));
  if (show(table) !== show(index)) {
    const differing = index.filter((range, i) => show([range]) !== show([table[i]])).length;
    staleIndexReads.push(`${tag}: index had ${index.length} ranges (${differing} differing) vs table ${table.length}`);
  }
  return table;
}

/** Fires `count` mixed requests at `tag` at once and checks the invariants afterwards. */
async function race(tag: string, count: number) {
  const before = await ranges(tag);
  const plan = Array.from({ length: count }, (_, index) => {
    const kind: Kind = (['put', 'delete', 'restore'] as const)[index % 3];
    return { kind, digest: targets[index % targets.length].digest };
  });
  const responses = await Promise.all(plan.map(({ kind, digest }) => request(kind, tag, digest)));
  const outcomes: Outcome[] = responses.map((response, index) => ({ kind: plan[index].kind, status: response.status, body: response.body }));

  // Never a 5xx; every answer is one of the documented ones.
  const serverErrors = outcomes.filter((outcome) => outcome.status >= 500);
  expect(serverErrors, JSON.stringify(serverErrors)).toEqual([]);
  for (const outcome of outcomes) expect(EXPECTED[outcome.kind], JSON.stringify(outcome)).toContain(outcome.status);
  const exhausted = outcomes.filter((outcome) => outcome.status === 400);
  for (const outcome of exhausted) {
    // A 400 is only the "lost every retry" answer, never a validation error.
    expect(JSON.stringify(outcome.body)).toMatch(/Could not (move|delete|restore) tag/);
  }

  const succeeded = (kind: Kind) => outcomes.filter((outcome) => outcome.kind === kind && outcome.status === SUCCESS[kind]).length;
  const after = await ranges(tag);

  // No range lost: one new range per successful PUT or restore, none for anything else.
  expect(after.length - before.length).toBe(succeeded('put') + succeeded('restore'));
  expect(after.slice(0, before.length).map((range) => range.start)).toEqual(before.map((range) => range.start));
  // One closed-by-delete range per successful DELETE.
  expect(after.filter((range) => range.endedBy === 'deleted').length - before.filter((range) => range.endedBy === 'deleted').length).toBe(
    succeeded('delete'),
  );

  // At most one open range, and only ever the newest one.
  const open = after.filter((range) => range.endedBy === undefined);
  const table = after.map((range) => `${range.start}..${range.end ?? ''} ${range.endedBy ?? 'open'} ${range.reversion ? 'R' : ''}`).join('\n');
  expect(open.length, table).toBeLessThanOrEqual(1);
  if (open.length) expect(open[0]).toBe(after.at(-1));
  for (let index = 0; index < after.length - 1; index++) {
    const [current, next] = [after[index], after[index + 1]];
    expect(current.endedBy, `range ${index} of ${after.length} is closed`).toBeDefined();
    expect(current.end, `range ${index} has an end`).toBeDefined();
    // Contiguous where a move closed it; after a delete the next range starts at or after the delete.
    if (current.endedBy === 'moved') expect(next.start, `range ${index} -> ${index + 1}`).toBe(current.end);
    else expect(next.start, `range ${index} (${current.endedBy}) -> ${index + 1}`).toBeGreaterThanOrEqual(current.end!);
    expect(current.end!).toBeGreaterThanOrEqual(current.start);
  }

  // The pointer mirrors the newest range: alive when it is open, else its tombstone (same start,
  // same end, same reason), so a later create still knows where the name's history ends.
  const pointer = await server.deps.store.tags.getLiveTag(PK, tag);
  const newest = after.at(-1)!;
  expect(pointer).not.toBeNull();
  expect([pointer!.start, pointer!.end, pointer!.endedBy, pointer!.manifestDigest, pointer!.reversion]).toEqual([
    newest.start,
    newest.end,
    newest.endedBy,
    newest.manifestDigest,
    newest.reversion,
  ]);

  // The API agrees: the active listing has the tag iff it is open; the full history has every range.
  const active = await listTags(server, token, PATH, `specificTag=${tag}&onlyActiveTags=true`);
  expect(active.status).toBe(200);
  expect(active.body.tags.length).toBe(open.length);
  const all = await listTags(server, token, PATH, `specificTag=${tag}&limit=100`);
  expect(all.status).toBe(200);
  expect(all.body.tags.length).toBe(Math.min(after.length, 100));

  const summary = (['put', 'delete', 'restore'] as const)
    .map((kind) => {
      const statuses = outcomes.filter((outcome) => outcome.kind === kind).map((outcome) => outcome.status);
      const counts = [...new Set(statuses)].sort().map((status) => `${status}x${statuses.filter((s) => s === status).length}`);
      return `${kind}: ${counts.join(' ')}`;
    })
    .join('; ');
  console.info(`[concurrency] ${tag}: ${summary}; retries exhausted: ${exhausted.length}; ranges ${before.length} -> ${after.length}`);
  return { outcomes, exhausted: exhausted.length };
}

describe('concurrent PUT, DELETE and restore on one tag', () => {
  it('30 mixed requests at an alive tag: no 5xx, no lost range, never two open ranges', async () => {
    await push(server, token, PATH, 'hot', imageManifest());
    await race('hot', 30);
  });

  it('30 mixed requests at a deleted tag: the same invariants', async () => {
    await push(server, token, PATH, 'cold', imageManifest());
    expect((await request('delete', 'cold', '')).status).toBe(204);
    await race('cold', 30);
  });

  it('three rounds back to back on one tag keep the history one consistent chain', async () => {
    await push(server, token, PATH, 'churn', imageManifest());
    for (let round = 0; round < 3; round++) await race('churn', 30);
    // 90 writes with their retries: about 12 s on a quiet 2-core machine, so room for a busy one.
  }, 120_000);
});
