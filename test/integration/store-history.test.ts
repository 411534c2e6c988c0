/**
 * The history access patterns, against DynamoDB Local: the whole history (base table), alive tags
 * (activeTags), one tag's history (tagHistory) and the tags alive at an instant (rangesByEnd), with
 * their pages and cursors. Store and domain functions are called directly with a clock the test
 * controls, so every instant (a move, an expiry) can be hit to the millisecond.
 */
import { describe, expect, it } from 'vitest';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { REGISTRY_INDEX } from '../../shared/store/schema.js';
import { listTags } from '../../shared/domain/list-tags.js';
import { DomainError } from '../../shared/domain/errors.js';
import { changeExpiration, deleteTag } from '../../shared/domain/tag-operations.js';
import { resetUsage } from '../../shared/store/client.js';
import type { TagRange } from '../../shared/store/index.js';
import { endSK } from '../../shared/store/keys.js';
import { HOUR, T0, commands, key, listInput, storeSuite } from '../support/store-suite.js';

const { tables, store, clock, deps, newActor, push, move, history } = storeSuite('history');

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
