/**
 * The store's access patterns and the tag mutations' transactions, against DynamoDB Local with
 * tables of this file's own. Store and domain functions are called directly with a clock the test
 * controls, so every instant (a move, an expiry, a purge) can be hit to the millisecond.
 *
 * Every repository below is private to one test; the sweep-queue test additionally lives at
 * instants (2001) far before every other test's (2023), because the due index spans the table.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { REGISTRY_INDEX } from '../../infra/tables.js';
import { dockerImageId, legacyImageChain } from '../../shared/domain/legacy-ids.js';
import { listTags } from '../../shared/domain/list-tags.js';
import type { ListTagsInput } from '../../shared/domain/list-tags.js';
import { parseManifest } from '../../shared/domain/manifest.js';
import { runSweep } from '../../shared/domain/sweep.js';
import { DomainError } from '../../shared/domain/errors.js';
import {
  changeExpiration,
  deleteTag,
  isReachableFromAliveTag,
  manifestForLegacyImage,
  retarget,
} from '../../shared/domain/tag-operations.js';
import type { Actor, TagDeps } from '../../shared/domain/tag-operations.js';
import { resetUsage, usage } from '../../shared/store/client.js';
import { WriteConflictError } from '../../shared/store/index.js';
import type { TagRange } from '../../shared/store/index.js';
import { allSweepShards, endSK } from '../../shared/store/keys.js';
import type { DueItem } from '../../shared/store/sweep.js';
import type { HistoryFilter } from '../../shared/store/tag-reads.js';
import { imageManifest } from '../support/manifests.js';
import { TestClock, moveTag, newActor as newHarnessActor, pushManifest, useStoreTables } from '../support/store-harness.js';
import type { BuiltManifest } from '../support/manifests.js';

const tables = useStoreTables('store');
const { store } = tables;

/** 2023-11-14T22:13:20Z: a round second, so clamped expirations keep round values. */
const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;

const clock = new TestClock(T0);
const deps: TagDeps = { store, clock };

const NAMESPACE = 'storetest';
/** A fresh repository (its own partition) for one test, with a one-hour time-machine window. */
const newActor = (label: string, windowS = 3600): Actor => newHarnessActor(NAMESPACE, label, windowS);
const push = (actor: Actor, tag: string | null, manifest?: BuiltManifest) => pushManifest(deps, actor, tag, manifest);
const move = (actor: Actor, tag: string, digest: string, reversion = false) => moveTag(deps, actor, tag, digest, reversion);

async function history(actor: Actor, filter: HistoryFilter = { kind: 'all' }, limit = 1000): Promise<TagRange[]> {
  const page = await store.tags.queryHistory({ pk: actor.pk, filter, skip: 0, limit, readBudget: Number.POSITIVE_INFINITY });
  return page.ranges;
}

function listInput(actor: Actor, overrides: Partial<ListTagsInput> = {}): ListTagsInput {
  return { pk: actor.pk, specificTag: null, nameFilter: null, onlyActive: false, page: 1, limit: 50, cursor: null, atMs: null, ...overrides };
}

/** Reads of the store are Queries and Gets; nothing ever scans. */
function expectNoScan() {
  expect(Object.keys(usage.byCommand).filter((command) => /Scan/i.test(command))).toEqual([]);
}

/** The commands issued since the last resetUsage(), e.g. { GetItemCommand: 1, TransactWriteItemsCommand: 1 }. */
const commands = () => ({ ...usage.byCommand });

const key = (range: TagRange) => `${range.name}@${range.start}`;

afterEach(() => {
  // Whatever a test did, it never scanned.
  expectNoScan();
  resetUsage();
  clock.set(T0);
});

describe('history, newest first (start desc, name asc)', () => {
  it('orders ranges by start descending, then name ascending, including ranges that share a start ms', async () => {
    const actor = newActor('order');
    clock.set(T0);
    // Two tags created within the same millisecond, pushed in reverse name order.
    const b1 = await push(actor, 'b');
    const a1 = await push(actor, 'a');
    const z1 = await push(actor, 'zeta');
    clock.set(T0 + 10);
    const c1 = await push(actor, 'c');
    clock.set(T0 + 20);
    const b2 = await push(actor, 'b');
    // Same start as b's move: ordered by name among themselves.
    const a2 = await push(actor, 'a');

    resetUsage();
    const ranges = await history(actor);
    expect(commands()).toEqual({ QueryCommand: 1 });
    expect(ranges.map((range) => [range.name, range.start - T0, range.manifestDigest])).toEqual([
      ['a', 20, a2.digest],
      ['b', 20, b2.digest],
      ['c', 10, c1.digest],
      ['a', 0, a1.digest],
      ['b', 0, b1.digest],
      ['zeta', 0, z1.digest],
    ]);
    // The closed ranges ended exactly where their successors start.
    expect(ranges.find((range) => range.name === 'a' && range.start === T0)).toMatchObject({ end: T0 + 20, endedBy: 'moved' });
    expect(ranges.find((range) => range.name === 'b' && range.start === T0)).toMatchObject({ end: T0 + 20, endedBy: 'moved' });

    // The API listing (list-tags.ts) shows the same order.
    resetUsage();
    const listed = await listTags(deps, listInput(actor));
    expect(listed.tags.map((tag) => tag.name)).toEqual(['a', 'b', 'c', 'a', 'b', 'zeta']);
    expect(listed.has_additional).toBe(false);
    expect(listed.next_page).toBeUndefined();
    // One query plus one batch read of the page's manifests.
    expect(commands()).toEqual({ QueryCommand: 1, BatchGetItemCommand: 1 });
  });

  it('pages with page/limit (queryHistory skip/limit and listTags page) without gaps or repeats', async () => {
    const actor = newActor('paging');
    const manifest = await push(actor, 'tag00');
    for (let index = 1; index < 12; index++) {
      clock.set(T0 + index * 1000);
      await move(actor, `tag${String(index).padStart(2, '0')}`, manifest.digest);
    }
    const all = await history(actor);
    expect(all.map((range) => range.name)).toEqual(Array.from({ length: 12 }, (_, i) => `tag${String(11 - i).padStart(2, '0')}`));

    const pages: TagRange[][] = [];
    const more: boolean[] = [];
    for (let page = 1; page <= 3; page++) {
      resetUsage();
      const result = await store.tags.queryHistory({
        pk: actor.pk,
        filter: { kind: 'all' },
        skip: (page - 1) * 5,
        limit: 5,
        readBudget: Number.POSITIVE_INFINITY,
      });
      expect(Object.keys(commands())).toEqual(['QueryCommand']);
      pages.push(result.ranges);
      more.push(result.hasMore);
    }
    expect(pages.map((page) => page.length)).toEqual([5, 5, 2]);
    expect(more).toEqual([true, true, false]);
    expect(pages.flat().map(key)).toEqual(all.map(key));

    // The same through list-tags.ts (Quay's page/limit).
    const viaApi: string[] = [];
    const apiMore: boolean[] = [];
    for (let page = 1; page <= 3; page++) {
      const result = await listTags(deps, listInput(actor, { page, limit: 5 }));
      viaApi.push(...result.tags.map((tag) => tag.name as string));
      apiMore.push(result.has_additional);
      expect(result.page).toBe(page);
    }
    expect(viaApi).toEqual(all.map((range) => range.name));
    expect(apiMore).toEqual([true, true, false]);
    // A page past the end is empty.
    expect((await listTags(deps, listInput(actor, { page: 4, limit: 5 }))).tags).toEqual([]);
  });

  it('follows opaque cursors (list-tags next_page) through the whole history, stable under new writes', async () => {
    const actor = newActor('cursor');
    const manifest = await push(actor, 't00');
    for (let index = 1; index < 9; index++) {
      clock.set(T0 + index * 1000);
      await move(actor, `t${String(index).padStart(2, '0')}`, manifest.digest);
    }
    // Two ranges with one start, to make sure a cursor splits a same-ms pair correctly.
    clock.set(T0 + 9000);
    await move(actor, 'same-a', manifest.digest);
    await move(actor, 'same-b', manifest.digest);
    const all = await history(actor);
    expect(all).toHaveLength(11);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      resetUsage();
      const result = await listTags(deps, listInput(actor, { limit: 3, cursor }));
      expect(Object.keys(commands()).sort()).toEqual(['BatchGetItemCommand', 'QueryCommand']);
      seen.push(...result.tags.map((tag) => `${tag.name}`));
      cursor = result.next_page ?? null;
      expect(result.has_additional).toBe(cursor !== null);
      pages++;
      if (pages === 1) {
        // A tag created after the first page was served does not shift the next pages.
        clock.set(T0 + 60_000);
        await move(actor, 'newcomer', manifest.digest);
      }
    } while (cursor && pages < 20);
    expect(pages).toBe(4);
    expect(seen).toEqual(all.map((range) => range.name));

    // A cursor is bound to its listing: replaying it elsewhere is a 400, not a silent wrong page.
    const first = await listTags(deps, listInput(actor, { limit: 3 }));
    expect(first.next_page).toBeDefined();
    const other = newActor('cursor-other');
    await expect(listTags(deps, listInput(other, { limit: 3, cursor: first.next_page! }))).rejects.toMatchObject({
      kind: 'invalid_request',
    });
    await expect(listTags(deps, listInput(actor, { limit: 3, cursor: 'not-a-cursor' }))).rejects.toBeInstanceOf(DomainError);
  });
});

describe('active tags', () => {
  it('lists alive pointers only, and drops an expired-but-unswept pointer at read time', async () => {
    const actor = newActor('active');
    clock.set(T0);
    const m = await push(actor, 'keep');
    await push(actor, 'expiring');
    await push(actor, 'deleted');
    await push(actor, 'moved');
    clock.set(T0 + 1000);
    await deleteTag(deps, actor, 'deleted');
    await move(actor, 'moved', m.digest);
    // Expires exactly two hours after its start.
    await changeExpiration(deps, actor, 'expiring', Math.floor(T0 / 1000) + 7200);

    const activeAt = async (now: number) => {
      clock.set(now);
      resetUsage();
      const ranges = await history(actor, { kind: 'active', nowMs: now });
      expect(commands()).toEqual({ QueryCommand: 1 });
      const listed = await listTags(deps, listInput(actor, { onlyActive: true }));
      expect(listed.tags.map((tag) => tag.name)).toEqual(ranges.map((range) => range.name));
      return ranges;
    };

    const before = await activeAt(T0 + 2 * HOUR - 1);
    // Newest start first: 'moved' restarted at T0+1000.
    expect(before.map((range) => range.name)).toEqual(['moved', 'expiring', 'keep']);
    expect(before.find((range) => range.name === 'expiring')!.end).toBe(T0 + 2 * HOUR);

    // At the expiry instant the tag is dead (alive means end > now), although nothing swept it.
    const at = await activeAt(T0 + 2 * HOUR);
    expect(at.map((range) => range.name)).toEqual(['moved', 'keep']);
    const pointer = await store.tags.getLiveTag(actor.pk, 'expiring');
    expect(pointer).not.toBeNull();
    expect(pointer!.endedBy).toBeUndefined();

    // specificTag + onlyActive goes through the pointer and agrees.
    const single = await listTags(deps, listInput(actor, { specificTag: 'expiring', onlyActive: true }));
    expect(single.tags).toEqual([]);
    const keep = await listTags(deps, listInput(actor, { specificTag: 'keep', onlyActive: true }));
    expect(keep.tags.map((tag) => tag.name)).toEqual(['keep']);

    // Active pages with a cursor.
    const firstPage = await listTags(deps, listInput(actor, { onlyActive: true, limit: 1 }));
    expect(firstPage.tags.map((tag) => tag.name)).toEqual(['moved']);
    const secondPage = await listTags(deps, listInput(actor, { onlyActive: true, limit: 1, cursor: firstPage.next_page! }));
    expect(secondPage.tags.map((tag) => tag.name)).toEqual(['keep']);
    expect(secondPage.has_additional).toBe(false);
  });
});

describe("one tag's history (tagHistory index)", () => {
  it("returns only that name's ranges, newest first, not those of a name it prefixes", async () => {
    const actor = newActor('onetag');
    clock.set(T0);
    const x1 = await push(actor, 'x');
    await push(actor, 'x1');
    await push(actor, 'y');
    clock.set(T0 + 5000);
    const x2 = await push(actor, 'x');
    await push(actor, 'y');
    clock.set(T0 + 9000);
    await deleteTag(deps, actor, 'x');
    clock.set(T0 + 12_000);
    await move(actor, 'x', x1.digest, true);

    resetUsage();
    const ranges = await history(actor, { kind: 'tag', name: 'x' });
    expect(commands()).toEqual({ QueryCommand: 1 });
    expect(ranges.map((range) => [range.start - T0, range.end === undefined ? null : range.end - T0, range.endedBy ?? null, range.reversion])).toEqual([
      [12_000, null, null, true],
      [5000, 9000, 'deleted', false],
      [0, 5000, 'moved', false],
    ]);
    expect(ranges.every((range) => range.name === 'x')).toBe(true);
    expect(ranges.map((range) => range.manifestDigest)).toEqual([x1.digest, x2.digest, x1.digest]);

    // Through list-tags.ts (specificTag, all ranges), with a cursor through one-row pages.
    const starts: number[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof listTags>> = await listTags(deps, listInput(actor, { specificTag: 'x', limit: 1, cursor }));
      starts.push(...page.tags.map((tag) => tag.start_ts as number));
      cursor = page.next_page ?? null;
    } while (cursor);
    expect(starts).toEqual(ranges.map((range) => Math.floor(range.start / 1000)));
  });
});

/**
 * The query tagsAliveAt runs, written out here so the rangesByEnd index and its keys are checked
 * independently of the store function (which once failed on every call: `start` is a reserved word
 * and was used unaliased in its FilterExpression).
 */
async function aliveAtViaIndex(pk: string, atMs: number): Promise<TagRange[]> {
  const items: Record<string, unknown>[] = [];
  let from: Record<string, unknown> | undefined;
  do {
    const result = await tables.client.send(
      new QueryCommand({
        TableName: tables.registryTable,
        IndexName: REGISTRY_INDEX.rangesByEnd,
        KeyConditionExpression: 'endPK = :pk AND endSK > :after',
        FilterExpression: '#start <= :at',
        ExpressionAttributeNames: { '#start': 'start' },
        ExpressionAttributeValues: { ':pk': pk, ':after': endSK(atMs, '~', 0), ':at': atMs },
        ExclusiveStartKey: from,
      }),
    );
    items.push(...(result.Items ?? []));
    from = result.LastEvaluatedKey;
  } while (from);
  return items
    .map((item) => ({ name: item.name as string, manifestDigest: item.manifestDigest as string, start: item.start as number, end: item.end as number | undefined, reversion: Boolean(item.reversion) }))
    .sort((a, b) => b.start - a.start || a.name.localeCompare(b.name));
}

describe('tags alive at an instant T (rangesByEnd index)', () => {
  async function scenario() {
    const actor = newActor('aliveat');
    const T1 = T0 + 10_000;
    const T2 = T0 + 20_000;
    const T3 = T0 + 30_000;
    clock.set(T1);
    const d1 = await push(actor, 'm');
    const other = await push(actor, 'n');
    // n expires two hours after its start (clamped from its start).
    await changeExpiration(deps, actor, 'n', Math.floor(T1 / 1000) + 7200);
    const E = T1 + 2 * HOUR;
    clock.set(T2);
    const d2 = await push(actor, 'm');
    clock.set(T3);
    await deleteTag(deps, actor, 'm');
    const label = (range: TagRange) =>
      `${range.name}:${range.manifestDigest === d1.digest ? 'd1' : range.manifestDigest === d2.digest ? 'd2' : range.manifestDigest === other.digest ? 'other' : '?'}`;
    return { actor, T1, T2, T3, E, label };
  }

  async function expectAliveAnswers(aliveAt: (at: number) => Promise<string[]>, s: Awaited<ReturnType<typeof scenario>>) {
    const { T1, T2, T3, E } = s;
    expect(await aliveAt(T0)).toEqual([]);
    expect(await aliveAt(T1 - 1)).toEqual([]);
    // A range is alive from its start, inclusive.
    expect(await aliveAt(T1)).toEqual(['m:d1', 'n:other']);
    expect(await aliveAt(T1 + 5000)).toEqual(['m:d1', 'n:other']);
    expect(await aliveAt(T2 - 1)).toEqual(['m:d1', 'n:other']);
    // The move instant: the old range ended at T2 (alive means end > T), the new one started at T2.
    expect(await aliveAt(T2)).toEqual(['m:d2', 'n:other']);
    expect(await aliveAt(T3 - 1)).toEqual(['m:d2', 'n:other']);
    // The delete instant: m is gone.
    expect(await aliveAt(T3)).toEqual(['n:other']);
    // The pending expiry is exact, swept or not.
    expect(await aliveAt(E - 1)).toEqual(['n:other']);
    expect(await aliveAt(E)).toEqual([]);
    expect(await aliveAt(E + HOUR)).toEqual([]);
  }

  it('the rangesByEnd index answers before creation, during, exactly at a move, at a delete and at an expiry', async () => {
    const s = await scenario();
    await expectAliveAnswers(async (at) => {
      resetUsage();
      const ranges = await aliveAtViaIndex(s.actor.pk, at);
      expect(Object.keys(commands())).toEqual(['QueryCommand']);
      return ranges.map(s.label);
    }, s);
    // The move boundary is contiguous in the table itself.
    const ranges = await history(s.actor, { kind: 'tag', name: 'm' });
    expect(ranges.map((range) => [range.start, range.end])).toEqual([
      [s.T2, s.T3],
      [s.T1, s.T2],
    ]);
  });

  it('store.tags.tagsAliveAt gives the same answers (regression: `start` is a reserved word and must be aliased)', async () => {
    const s = await scenario();
    await expectAliveAnswers(async (at) => {
      resetUsage();
      const { ranges } = await store.tags.tagsAliveAt(s.actor.pk, at);
      expect(Object.keys(commands())).toEqual(['QueryCommand']);
      return ranges.map(s.label);
    }, s);
  });
});

describe('manifests by digest and by legacy image id', () => {
  it('finds a manifest by digest (bytes intact) and by any id of its legacy chain', async () => {
    const actor = newActor('manifests');
    const base = imageManifest({ layerCount: 2 });
    const derived = imageManifest({ layers: [...base.layers, { digest: imageManifest().digest, size: 99 }] });
    await push(actor, 'base', base);
    clock.set(T0 + 1000);
    await push(actor, 'derived', derived);
    clock.set(T0 + 2000);
    const untagged = await push(actor, null);

    resetUsage();
    const stored = await store.manifests.getManifest(actor.pk, derived.digest);
    expect(commands()).toEqual({ GetItemCommand: 1 });
    expect(stored).not.toBeNull();
    expect(new TextDecoder().decode(stored!.bytes)).toBe(derived.body);
    expect(await store.manifests.getManifest(actor.pk, 'sha256:' + '0'.repeat(64))).toBeNull();
    expect((await store.manifests.getManifestRefs(actor.pk, derived.digest))!.refs).toBe(1);
    expect((await store.manifests.getManifestRefs(actor.pk, untagged.digest))!.refs).toBe(0);

    const bytesOf = (m: BuiltManifest) => new TextEncoder().encode(m.body);
    const derivedChain = legacyImageChain(parseManifest(bytesOf(derived), derived.mediaType));
    const baseChain = legacyImageChain(parseManifest(bytesOf(base), base.mediaType));
    expect(derivedChain).toHaveLength(3);
    // Only the base id is shared: base's top id also hashes base's config.
    expect(derivedChain[2]).toBe(baseChain[1]);

    resetUsage();
    const byLeaf = await store.manifests.findManifestsByLegacyImage(actor.pk, dockerImageId(parseManifest(bytesOf(derived), derived.mediaType)));
    expect(commands()).toEqual({ QueryCommand: 1 });
    expect(byLeaf).toEqual([{ digest: derived.digest, position: 0 }]);

    const byBase = await store.manifests.findManifestsByLegacyImage(actor.pk, baseChain[1]);
    expect(byBase.sort((a, b) => a.digest.localeCompare(b.digest))).toEqual(
      [
        { digest: base.digest, position: 1 },
        { digest: derived.digest, position: 2 },
      ].sort((a, b) => a.digest.localeCompare(b.digest)),
    );
    expect(await store.manifests.findManifestsByLegacyImage(actor.pk, 'f'.repeat(64))).toEqual([]);

    // The domain lookup: leaf ids only; reachable means an alive tag points at it.
    expect((await manifestForLegacyImage(deps, actor.pk, derivedChain[0], true))?.digest).toBe(derived.digest);
    expect(await manifestForLegacyImage(deps, actor.pk, baseChain[1], true)).toBeNull();
    const untaggedId = dockerImageId(parseManifest(bytesOf(untagged), untagged.mediaType));
    expect(await manifestForLegacyImage(deps, actor.pk, untaggedId, true)).toBeNull();
    expect((await manifestForLegacyImage(deps, actor.pk, untaggedId, false))?.digest).toBe(untagged.digest);
  });

  it('hasAliveTag: true while an alive tag points at the manifest; false after a move, a delete, or an expiry', async () => {
    const actor = newActor('hasalive');
    clock.set(T0);
    const m1 = await push(actor, 'one');
    const m2 = await push(actor, 'two');
    await move(actor, 'also', m1.digest);

    resetUsage();
    expect(await store.tags.hasAliveTag(actor.pk, m1.digest, clock.now())).toBe(true);
    // On the base table: the reference count names the tag that referenced it last, whose pointer confirms.
    expect(commands()).toEqual({ GetItemCommand: 2 });
    expect(await store.tags.indexShowsOtherAliveTag(actor.pk, m1.digest, clock.now(), 'one')).toBe(true);
    expect(await store.tags.indexShowsOtherAliveTag(actor.pk, m2.digest, clock.now(), 'two')).toBe(false);

    clock.set(T0 + 1000);
    await move(actor, 'also', m2.digest);
    expect(await store.tags.indexShowsOtherAliveTag(actor.pk, m1.digest, clock.now(), 'one')).toBe(false);
    // 'also' moved away, 'one' still points at m1: the index's candidate, confirmed on its pointer.
    expect(await store.tags.hasAliveTag(actor.pk, m1.digest, clock.now())).toBe(true);
    await deleteTag(deps, actor, 'one');
    expect(await store.tags.hasAliveTag(actor.pk, m1.digest, clock.now())).toBe(false);
    expect(await isReachableFromAliveTag(deps, actor.pk, m1.digest)).toBe(false);

    await changeExpiration(deps, actor, 'two', Math.floor(T0 / 1000) + 7200);
    await changeExpiration(deps, actor, 'also', Math.floor(T0 / 1000) + 7200);
    expect(await store.tags.hasAliveTag(actor.pk, m2.digest, T0 + 2 * HOUR - 1)).toBe(true);
    expect(await store.tags.hasAliveTag(actor.pk, m2.digest, T0 + 2 * HOUR)).toBe(false);
    clock.set(T0 + 2 * HOUR);
    expect(await isReachableFromAliveTag(deps, actor.pk, m2.digest)).toBe(false);
  });
});

describe('the sweep queue (sweepDue index)', () => {
  // 2001: before every other test's instants, so the table-wide due index holds only this test's work.
  const S = 1_000_000_000_000;

  async function dueAt(now: number): Promise<DueItem[]> {
    resetUsage();
    const items: DueItem[] = [];
    for (const shard of allSweepShards()) {
      let from: Record<string, unknown> | undefined;
      do {
        const page = await store.sweep.queryDue(shard, now, 100, from);
        items.push(...page.items);
        from = page.next;
      } while (from);
    }
    expect(Object.keys(commands())).toEqual(['QueryCommand']);
    return items;
  }

  it('holds expiries due at or before now and ranges past their purge time, nothing else', async () => {
    const actor = newActor('due');
    await store.namespaces.createOrganization(
      { name: NAMESPACE, kind: 'organization', admins: ['tester'], tagExpirationS: 3600, createdAt: S },
      { kind: 'org_create', namespace: NAMESPACE, repository: null, performer: null, ip: null, at: S, metadata: {} },
    ).catch((error) => {
      if (!(error instanceof WriteConflictError)) throw error;
    });
    clock.set(S);
    const names = Array.from({ length: 50 }, (_, i) => `t${String(i).padStart(2, '0')}`);
    const shared = await push(actor, names[0]);
    for (const name of names.slice(1)) await move(actor, name, shared.digest);
    // Five expire at S+2h, three at S+10h.
    for (const name of names.slice(0, 5)) await changeExpiration(deps, actor, name, Math.floor(S / 1000) + 7200);
    for (const name of names.slice(10, 13)) await changeExpiration(deps, actor, name, Math.floor(S / 1000) + 36_000);
    // At S+1h: one delete and one move, each closing a range whose purge is due at S+2h (window 1h).
    clock.set(S + HOUR);
    await deleteTag(deps, actor, 't20');
    await move(actor, 't21', (await push(actor, null)).digest);
    // An untagged manifest pushed at S+3h is collectable at S+4h.
    clock.set(S + 3 * HOUR);
    const late = await push(actor, null);

    // Nothing is due before S+2h: not the 45 tags without an expiration, not the future ones.
    expect(await dueAt(S + 2 * HOUR - 1)).toEqual([]);

    const now = S + 2 * HOUR + 30 * 60_000;
    const due = await dueAt(now);
    const described = due.map((item) => `${item.kind}:${item.dueAt - S}`).sort();
    expect(described).toEqual([
      ...Array.from({ length: 5 }, () => `expire:${2 * HOUR}`),
      `purge:${2 * HOUR}`,
      `purge:${2 * HOUR}`,
    ]);
    expect(due.every((item) => item.pk === actor.pk)).toBe(true);
    const expiring = await Promise.all(due.filter((item) => item.kind === 'expire').map((item) => store.tags.getRange(item.pk, item.sk)));
    expect(expiring.map((range) => range!.name).sort()).toEqual(names.slice(0, 5));
    const purging = await Promise.all(due.filter((item) => item.kind === 'purge').map((item) => store.tags.getRange(item.pk, item.sk)));
    expect(purging.map((range) => `${range!.name}:${range!.endedBy}`).sort()).toEqual(['t20:deleted', 't21:moved']);
    // Exactly at the due instant counts as due.
    expect(await dueAt(S + 2 * HOUR)).toHaveLength(7);

    // The gc of the late manifest shows up at S+4h, with the three S+10h expiries still absent.
    const at4h = await dueAt(S + 4 * HOUR);
    expect(at4h.filter((item) => item.kind === 'gc').map((item) => item.sk)).toEqual([`MREF#${late.digest}`]);
    expect(at4h).toHaveLength(5 + 2 + 1);

    // The sweep finalizes the 5 expiries (each one transaction) and purges the 2 ranges.
    clock.set(now);
    resetUsage();
    const report = await runSweep({ store, clock }, { budgetMs: 60_000, batchSize: 25 });
    expect(report).toMatchObject({ expired: 5, purged_ranges: 2, skipped: 0, more: false });
    expectNoScan();
    // Afterwards nothing is due: the finalized expiries are queued for purge at S+3h.
    expect(await dueAt(now)).toEqual([]);
    expect((await dueAt(S + 3 * HOUR)).map((item) => item.kind)).toEqual(Array.from({ length: 5 }, () => 'purge'));
    const active = await history(actor, { kind: 'active', nowMs: now });
    expect(active).toHaveLength(50 - 5 - 1);
    // A finalized expiry leaves the pointer as a tombstone of the closed range (never alive again).
    expect(await store.tags.getLiveTag(actor.pk, 't00')).toMatchObject({ endedBy: 'expired', end: S + 2 * HOUR, start: S });
    // The purged, deleted t20 range took its tombstone with it; t21's open range is untouched.
    expect(await store.tags.getLiveTag(actor.pk, 't20')).toBeNull();
    expect(await store.tags.getLiveTag(actor.pk, 't21')).toMatchObject({ start: S + HOUR, endedBy: undefined });

    // An hour later the five expired ranges are purged, with their tombstones.
    clock.set(S + 3 * HOUR);
    const second = await runSweep({ store, clock }, { budgetMs: 60_000, batchSize: 25 });
    expect(second).toMatchObject({ expired: 0, purged_ranges: 5, skipped: 0, more: false });
    for (const name of names.slice(0, 5)) expect(await store.tags.getLiveTag(actor.pk, name)).toBeNull();
    expect(await dueAt(S + 3 * HOUR)).toEqual([]);
    // The shared manifest lost exactly the 7 purged ranges' references.
    expect((await store.manifests.getManifestRefs(actor.pk, shared.digest))!.refs).toBe(50 - 7);
  });
});

describe('one mutation, one TransactWriteItems', () => {
  it('create, move, restore, change expiration, delete and expire each issue exactly one transaction', async () => {
    const actor = newActor('onetx');
    clock.set(T0);
    const m1 = await push(actor, 'base');
    const m2 = await push(actor, 'other');

    const tx = async (operation: () => Promise<unknown>) => {
      resetUsage();
      await operation();
      const issued = commands();
      expect(issued.TransactWriteItemsCommand).toBe(1);
      // Everything else is a single-item read (no Query, no Scan, no unconditional write).
      expect(Object.keys(issued).filter((command) => command !== 'TransactWriteItemsCommand')).toEqual(
        Object.keys(issued).filter((command) => command === 'GetItemCommand'),
      );
      return issued;
    };

    clock.set(T0 + 1000);
    expect(await tx(() => move(actor, 'fresh', m1.digest))).toEqual({ GetItemCommand: 1, TransactWriteItemsCommand: 1 });
    clock.set(T0 + 2000);
    expect(await tx(() => move(actor, 'fresh', m2.digest))).toEqual({ GetItemCommand: 1, TransactWriteItemsCommand: 1 });
    clock.set(T0 + 3000);
    expect(await tx(() => move(actor, 'fresh', m1.digest, true))).toEqual({ GetItemCommand: 1, TransactWriteItemsCommand: 1 });
    expect(await tx(() => changeExpiration(deps, actor, 'fresh', Math.floor(T0 / 1000) + 3 + 7200))).toEqual({
      GetItemCommand: 1,
      TransactWriteItemsCommand: 1,
    });
    clock.set(T0 + 4000);
    expect(await tx(() => deleteTag(deps, actor, 'base'))).toEqual({ GetItemCommand: 1, TransactWriteItemsCommand: 1 });

    // Expire: the sweep finalizes a passed expiry in one transaction per tag.
    await changeExpiration(deps, actor, 'other', Math.floor(T0 / 1000) + 3600);
    const pointer = await store.tags.getLiveTag(actor.pk, 'other');
    resetUsage();
    await store.tags.finalizeExpiredTag(actor.pk, pointer!, actor.windowS, {
      kind: 'tag_expired', namespace: actor.namespace, repository: actor.repository, performer: null, ip: null, at: T0 + HOUR, metadata: {},
    });
    expect(commands()).toEqual({ TransactWriteItemsCommand: 1 });

    // A move of an expired-but-unswept tag finalizes the expiry and opens the new range together.
    clock.set(T0 + 3000 + 2 * HOUR + 1);
    expect(await tx(() => move(actor, 'fresh', m2.digest))).toEqual({ GetItemCommand: 1, TransactWriteItemsCommand: 1 });
    const fresh = await history(actor, { kind: 'tag', name: 'fresh' });
    expect(fresh.map((range) => [range.start - T0, range.end === undefined ? null : range.end - T0, range.endedBy ?? null])).toEqual([
      [3000 + 2 * HOUR + 1, null, null],
      [3000, 3000 + 2 * HOUR, 'expired'],
      [2000, 3000, 'moved'],
      [1000, 2000, 'moved'],
    ]);

    // A push by tag: the tag mutation and the new manifest item commit in one transaction (the
    // content-addressed legacy-id index items are written idempotently just before it).
    resetUsage();
    clock.set(T0 + 3 * HOUR);
    await push(actor, 'pushed');
    expect(commands().TransactWriteItemsCommand).toBe(1);
  });
});

/** The ranges of one tag, oldest first, checked to form one contiguous chain of moves. */
async function expectContiguousMoves(actor: Actor, tag: string, expectedCount: number) {
  const ranges = (await history(actor, { kind: 'tag', name: tag })).sort((a, b) => a.start - b.start);
  expect(ranges).toHaveLength(expectedCount);
  const open = ranges.filter((range) => range.end === undefined && range.endedBy === undefined);
  expect(open).toHaveLength(1);
  expect(open[0]).toBe(ranges.at(-1));
  for (let index = 0; index < ranges.length - 1; index++) {
    expect(ranges[index].endedBy, `range ${index}`).toBe('moved');
    expect(ranges[index].end, `range ${index} ends where range ${index + 1} starts`).toBe(ranges[index + 1].start);
  }
  const pointer = await store.tags.getLiveTag(actor.pk, tag);
  expect(pointer).not.toBeNull();
  expect(pointer!.start).toBe(open[0].start);
  expect(pointer!.manifestDigest).toBe(open[0].manifestDigest);
  // Every successful write bumped the version once: create = 1, each move + 1.
  expect(pointer!.version).toBe(expectedCount);
  // No other pointer or open range of this name hides in the active index or at "now".
  const active = (await history(actor, { kind: 'active', nowMs: clock.now() })).filter((range) => range.name === tag);
  expect(active).toHaveLength(1);
  return ranges;
}

describe('concurrent writers on one tag', () => {
  it('20 concurrent moves (one frozen millisecond): one live range, 21 contiguous ranges, every digest once', async () => {
    const actor = newActor('moves');
    clock.set(T0);
    const initial = await push(actor, 'hot');
    const targets: BuiltManifest[] = [];
    for (let index = 0; index < 20; index++) targets.push(await push(actor, null));

    resetUsage();
    const results = await Promise.allSettled(targets.map((target) => move(actor, 'hot', target.digest)));
    const failures = results.filter((result) => result.status === 'rejected');
    expect(failures.map((failure) => String((failure as PromiseRejectedResult).reason))).toEqual([]);
    const transactions = usage.byCommand.TransactWriteItemsCommand ?? 0;

    const ranges = await expectContiguousMoves(actor, 'hot', 21);
    expect(ranges[0].manifestDigest).toBe(initial.digest);
    const digests = ranges.map((range) => range.manifestDigest);
    expect(new Set(digests).size).toBe(21);
    expect(new Set(digests)).toEqual(new Set([initial.digest, ...targets.map((target) => target.digest)]));
    // Each move returned the pointer it replaced: those form the chain too.
    const replaced = results.map((result) => (result as PromiseFulfilledResult<{ manifestDigest: string } | null>).value?.manifestDigest);
    expect(new Set(replaced)).toEqual(new Set(digests.slice(0, 20)));
    // Reference counts moved with the ranges in the same transactions.
    const refs = await Promise.all(digests.map((digest) => store.manifests.getManifestRefs(actor.pk, digest)));
    expect(refs.map((count) => count?.refs)).toEqual(Array.from({ length: 21 }, () => 1));
    // 20 successes, and whatever lost a race was retried (report only; not a timing assertion).
    expect(transactions).toBeGreaterThanOrEqual(20);
    console.info(`[concurrency] 20 moves took ${transactions} TransactWriteItems (${transactions - 20} lost races retried)`);
  });

  it('20 concurrent moves on the real clock: the same invariants', async () => {
    const actor = newActor('moves-real');
    const realDeps: TagDeps = { store, clock: { now: () => Date.now() } };
    const initial = await push(actor, 'hot');
    const targets: BuiltManifest[] = [];
    for (let index = 0; index < 20; index++) targets.push(await push(actor, null));
    const results = await Promise.allSettled(
      targets.map((target) =>
        retarget(realDeps, actor, { tag: 'hot', manifestDigest: target.digest, reversion: false, changes: () => [] }),
      ),
    );
    expect(results.filter((result) => result.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
    clock.set(Date.now());
    const ranges = await expectContiguousMoves(actor, 'hot', 21);
    expect(new Set(ranges.map((range) => range.manifestDigest))).toEqual(new Set([initial.digest, ...targets.map((t) => t.digest)]));
  });

  it('20 concurrent creates of a brand-new tag (pushes by tag of 20 new manifests): exactly one alive', async () => {
    const actor = newActor('creates');
    clock.set(T0);
    const manifests = Array.from({ length: 20 }, () => imageManifest());
    const results = await Promise.allSettled(manifests.map((manifest) => push(actor, 'brand-new', manifest)));
    expect(results.filter((result) => result.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
    const ranges = await expectContiguousMoves(actor, 'brand-new', 20);
    expect(new Set(ranges.map((range) => range.manifestDigest))).toEqual(new Set(manifests.map((manifest) => manifest.digest)));
    // Exactly one create; the other 19 became moves.
    const refs = await Promise.all(manifests.map((manifest) => store.manifests.getManifestRefs(actor.pk, manifest.digest)));
    expect(refs.map((count) => count?.refs)).toEqual(Array.from({ length: 20 }, () => 1));
  });

  it('concurrent pushes of one new manifest to one tag: stored once, every push a range, refs = ranges', async () => {
    const actor = newActor('same-push');
    clock.set(T0);
    const manifest = imageManifest();
    resetUsage();
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => push(actor, 'same', manifest)));
    const transactions = usage.byCommand.TransactWriteItemsCommand ?? 0;
    expect(results.filter((result) => result.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
    const ranges = await expectContiguousMoves(actor, 'same', 5);
    expect(new Set(ranges.map((range) => range.manifestDigest))).toEqual(new Set([manifest.digest]));
    expect((await store.manifests.getManifestRefs(actor.pk, manifest.digest))!.refs).toBe(5);
    console.info(`[concurrency] 5 pushes of one new manifest took ${transactions} TransactWriteItems`);
  });

  it('20 concurrent creates of a brand-new tag to stored manifests (PUT manifest_digest): exactly one alive', async () => {
    const actor = newActor('creates-put');
    clock.set(T0);
    const targets: BuiltManifest[] = [];
    for (let index = 0; index < 20; index++) targets.push(await push(actor, null));
    const results = await Promise.allSettled(targets.map((target) => move(actor, 'brand-new', target.digest)));
    expect(results.filter((result) => result.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
    // Exactly one of them saw no tag (a create); the others replaced one.
    expect(results.filter((result) => (result as PromiseFulfilledResult<unknown>).value === null)).toHaveLength(1);
    await expectContiguousMoves(actor, 'brand-new', 20);
  });
});

describe('re-creating a deleted tag (regressions: colliding and overlapping ranges after a delete)', () => {
  it('a create in the same millisecond as a delete of a tag created in that millisecond succeeds', async () => {
    // Regression: when a delete removed the pointer, nextRangeStart(now, null) ignored the range it
    // had closed; the new range got the deleted range's start, hence its key H#<start>#name, and the
    // put's attribute_not_exists(PK) failed on every retry while the clock stood still.
    const actor = newActor('recreate');
    clock.set(T0);
    const m = await push(actor, 'flash');
    await deleteTag(deps, actor, 'flash');
    const outcome = await move(actor, 'flash', m.digest, true).then(
      () => 'restored',
      (error: unknown) => `${(error as Error).name} [${(error as WriteConflictError).reasons?.join(', ')}]`,
    );
    expect(outcome, 'retries exhausted on the range put (first item) while the clock stands still').toBe('restored');
    const ranges = (await history(actor, { kind: 'tag', name: 'flash' })).sort((a, b) => a.start - b.start);
    expect(ranges).toHaveLength(2);
    // Zero-length deleted range [T0, T0], then the restore from T0 + 1 on (distinct keys, no overlap).
    expect(ranges.map((range) => [range.start - T0, range.end === undefined ? null : range.end - T0, range.endedBy ?? null])).toEqual([
      [0, 0, 'deleted'],
      [1, null, null],
    ]);
  });

  it('a create racing a delete never starts inside the deleted range (one monotonic clock)', async () => {
    // Regression: retarget() read the clock BEFORE the pointer. A DELETE that read a later "now" and
    // committed in between left no pointer, so the create opened its range at its earlier "now",
    // inside the range the delete closed: the two ranges overlapped.
    const actor = newActor('race-delete');
    clock.set(T0);
    const m = await push(actor, 'raced');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let reads = 0;
    const slowTags = {
      ...store.tags,
      // The create's pointer read is slow (a busy table, a GC pause): held until the delete is done.
      getLiveTag: async (pk: string, name: string) => {
        if (reads++ === 0) await gate;
        return store.tags.getLiveTag(pk, name);
      },
    };
    const slowDeps: TagDeps = { store: { ...store, tags: slowTags }, clock };
    clock.set(T0 + 640);
    const create = retarget(slowDeps, actor, { tag: 'raced', manifestDigest: m.digest, reversion: false, changes: () => [] });
    clock.set(T0 + 674);
    await deleteTag(deps, actor, 'raced');
    release();
    await create;
    const ranges = (await history(actor, { kind: 'tag', name: 'raced' })).sort((a, b) => a.start - b.start);
    expect(ranges.map((range) => [range.start - T0, range.end === undefined ? null : range.end - T0, range.endedBy ?? null])[0]).toEqual([
      0,
      674,
      'deleted',
    ]);
    expect(ranges).toHaveLength(2);
    expect(ranges[1].end).toBeUndefined();
    expect(ranges[1].start - T0, 'the created range starts inside the deleted one').toBeGreaterThanOrEqual(674);
  });

  it('a re-create never starts before the end of the range a delete just closed (lagging clock)', async () => {
    // Regression: the lagging-clock defence (start > previous start) covered moves but not a create
    // after a delete: the new range started at the lagging "now", inside the deleted range, so at T
    // the history showed two ranges of one name alive at once. The tombstone pointer now carries
    // the deleted range's end.
    const actor = newActor('skew');
    clock.set(T0);
    const m = await push(actor, 'skewed');
    clock.set(T0 + 10_000); // a Lambda whose clock runs ahead deletes
    await deleteTag(deps, actor, 'skewed');
    clock.set(T0 + 5000); // another Lambda, 5 s behind, re-creates
    await move(actor, 'skewed', m.digest);
    // Ranges of one name must not overlap: each starts at or after the previous one's end.
    const ranges = (await history(actor, { kind: 'tag', name: 'skewed' })).sort((a, b) => a.start - b.start);
    expect(ranges).toHaveLength(2);
    expect(ranges[0].end).toBe(T0 + 10_000);
    expect(ranges[1].start, 'the re-created range starts inside the deleted one').toBeGreaterThanOrEqual(ranges[0].end!);
    // Equivalently: at T0+7s the index shows two ranges of one name alive at once.
    expect((await aliveAtViaIndex(actor.pk, T0 + 7000)).filter((range) => range.name === 'skewed')).toHaveLength(1);
  });
});
