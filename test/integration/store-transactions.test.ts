/**
 * The tag mutations' transactions: one TransactWriteItems per mutation, concurrent writers on one
 * tag serialized by the pointer's version, and re-creating a deleted tag without overlapping ranges.
 */
import { describe, expect, it } from 'vitest';
import { changeExpiration, deleteTag, retarget } from '../../shared/domain/tag-operations.js';
import type { Actor, TagDeps } from '../../shared/domain/tag-operations.js';
import { resetUsage, usage } from '../../shared/store/client.js';
import { WriteConflictError } from '../../shared/store/index.js';
import { imageManifest } from '../support/manifests.js';
import type { BuiltManifest } from '../support/manifests.js';
import { HOUR, T0, commands, storeSuite } from '../support/store-suite.js';

const { store, clock, deps, newActor, push, move, history } = storeSuite('transactions');

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
    expect((await store.tags.tagsAliveAt(actor.pk, T0 + 7000)).ranges.filter((range) => range.name === 'skewed')).toHaveLength(1);
  });
});
