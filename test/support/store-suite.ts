/**
 * The common ground of the store integration files (test/integration/store-*.test.ts): the file's
 * own tables, a clock the test sets to the millisecond, repositories private to one test, and the
 * check after every test that nothing scanned.
 */
import { afterEach, expect } from 'vitest';
import type { ListTagsInput } from '../../shared/domain/list-tags.js';
import type { Actor, TagDeps } from '../../shared/domain/tag-operations.js';
import { resetUsage, usage } from '../../shared/store/client.js';
import type { TagRange } from '../../shared/store/index.js';
import type { HistoryFilter } from '../../shared/store/tag-reads.js';
import type { BuiltManifest } from './manifests.js';
import { TestClock, moveTag, newActor as newHarnessActor, pushManifest, useStoreTables } from './store-harness.js';

/** 2023-11-14T22:13:20Z: a round second, so clamped expirations keep round values. */
export const T0 = 1_700_000_000_000;
export const HOUR = 3_600_000;

/** The commands issued since the last resetUsage(), e.g. { GetItemCommand: 1, TransactWriteItemsCommand: 1 }. */
export const commands = () => ({ ...usage.byCommand });

export const key = (range: TagRange) => `${range.name}@${range.start}`;

export function listInput(actor: Actor, overrides: Partial<ListTagsInput> = {}): ListTagsInput {
  return { pk: actor.pk, specificTag: null, nameFilter: null, onlyActive: false, page: 1, limit: 50, cursor: null, atMs: null, ...overrides };
}

export function storeSuite(label: string) {
  const tables = useStoreTables(label);
  const { store } = tables;
  const clock = new TestClock(T0);
  const deps: TagDeps = { store, clock };
  const namespace = 'storetest';

  afterEach(() => {
    // Whatever a test did, it never scanned.
    expect(Object.keys(usage.byCommand).filter((command) => /Scan/i.test(command))).toEqual([]);
    resetUsage();
    clock.set(T0);
  });

  return {
    tables,
    store,
    clock,
    deps,
    /** A fresh repository (its own partition) for one test, with a one-hour time-machine window. */
    newActor: (name: string, windowS = 3600): Actor => newHarnessActor(namespace, name, windowS),
    push: (actor: Actor, tag: string | null, manifest?: BuiltManifest) => pushManifest(deps, actor, tag, manifest),
    move: (actor: Actor, tag: string, digest: string, reversion = false) => moveTag(deps, actor, tag, digest, reversion),
    async history(actor: Actor, filter: HistoryFilter = { kind: 'all' }, limit = 1000): Promise<TagRange[]> {
      const page = await store.tags.queryHistory({ pk: actor.pk, filter, skip: 0, limit, readBudget: Number.POSITIVE_INFINITY });
      return page.ranges;
    },
  };
}
