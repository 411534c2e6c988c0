/**
 * Read-your-writes with lagging indexes: the store runs on a client whose index queries do not see
 * anything written in the last minute (shared/store/index-lag.ts), as a global secondary index on
 * AWS may not. Every decision a client observes right after its own write (promote what it just
 * pushed, list what it just pushed or deleted) must still see that write.
 */
import { describe, expect, it } from 'vitest';
import { listTags } from '../../shared/domain/list-tags.js';
import type { ListTagsInput } from '../../shared/domain/list-tags.js';
import { deleteTag, isReachableFromAliveTag, retarget } from '../../shared/domain/tag-operations.js';
import type { Actor } from '../../shared/domain/tag-operations.js';
import { imageManifest, manifestList } from '../support/manifests.js';
import { TestClock, moveTag, newActor, pushManifest, useStoreTables } from '../support/store-harness.js';

const { store } = useStoreTables('ryw', { indexLagMs: 60_000 });
const clock = new TestClock(1_700_000_000_000);
const deps = { store, clock };

function listInput(actor: Actor, overrides: Partial<ListTagsInput> = {}): ListTagsInput {
  return { pk: actor.pk, specificTag: null, nameFilter: null, onlyActive: false, page: 1, limit: 50, cursor: null, atMs: null, ...overrides };
}

const names = (result: { tags: Record<string, unknown>[] }) => result.tags.map((tag) => tag.name);

describe('read-your-writes while the indexes lag', () => {
  it('the lag mode is on: the index views do not show the writes yet', async () => {
    const actor = newActor('ryw', 'lagging');
    const pushed = await pushManifest(deps, actor, 'v1');
    const active = await store.tags.queryHistory({ pk: actor.pk, filter: { kind: 'active', nowMs: clock.now() }, skip: 0, limit: 10, readBudget: 100 });
    expect(active.ranges).toEqual([]);
    expect((await store.tags.indexedAliveTagAt(actor.pk, pushed.digest, clock.now(), 'other')) !== null).toBe(false);
  });

  it('push then promote: the digest just pushed by tag is reachable, and the promotion lands', async () => {
    const actor = newActor('ryw', 'promote');
    clock.advance(1000);
    const pushed = await pushManifest(deps, actor, 'ci-1234');
    expect(await isReachableFromAliveTag(deps, actor.pk, pushed.digest)).toBe(true);
    clock.advance(1000);
    await moveTag(deps, actor, 'prod', pushed.digest);
    expect((await store.tags.getLiveTag(actor.pk, 'prod'))?.manifestDigest).toBe(pushed.digest);

    // Moved away from the last tag that referenced it, still held by the first one.
    const other = await pushManifest(deps, actor, 'ci-1235');
    clock.advance(1000);
    await moveTag(deps, actor, 'prod', other.digest);
    expect(await isReachableFromAliveTag(deps, actor.pk, pushed.digest)).toBe(true);
  });

  it('push a list by tag then promote one of its children pushed by digest', async () => {
    const actor = newActor('ryw', 'children');
    const children = [imageManifest(), imageManifest()];
    for (const child of children) await pushManifest(deps, actor, null, child);
    clock.advance(1000);
    await pushManifest(deps, actor, 'multi', manifestList(children));
    expect(await isReachableFromAliveTag(deps, actor.pk, children[1].digest)).toBe(true);
  });

  it('push then list: the history and the /v2 tag list show the new tag', async () => {
    const actor = newActor('ryw', 'list');
    clock.advance(1000);
    await pushManifest(deps, actor, 'fresh');
    expect(names(await listTags(deps, listInput(actor)))).toEqual(['fresh']);
    expect(names(await listTags(deps, listInput(actor, { specificTag: 'fresh', onlyActive: true })))).toEqual(['fresh']);
    expect((await store.tags.listAliveTagNames(actor.pk, clock.now(), 100)).names).toEqual(['fresh']);
  });

  it('delete then list: the tag is gone from the alive views and ended in the history; its digest is no longer reachable', async () => {
    const actor = newActor('ryw', 'delete');
    clock.advance(1000);
    const pushed = await pushManifest(deps, actor, 'doomed');
    clock.advance(1000);
    await deleteTag(deps, actor, 'doomed');
    const history = await listTags(deps, listInput(actor));
    expect(history.tags).toHaveLength(1);
    expect(history.tags[0]).toMatchObject({ name: 'doomed' });
    expect(history.tags[0].end_ts).toBeDefined();
    expect((await store.tags.listAliveTagNames(actor.pk, clock.now(), 100)).names).toEqual([]);
    expect(names(await listTags(deps, listInput(actor, { specificTag: 'doomed', onlyActive: true })))).toEqual([]);
    expect(await isReachableFromAliveTag(deps, actor.pk, pushed.digest)).toBe(false);
  });

  it('a stale index candidate never decides: the witness condition fails and the table answers', async () => {
    const actor = newActor('ryw', 'stale');
    clock.advance(1000);
    const pushed = await pushManifest(deps, actor, 'was-here');
    clock.advance(1000);
    await pushManifest(deps, actor, 'was-here');
    // An index that still shows 'was-here' at the first manifest (as a lagging GSI would after the move).
    const staleDeps = { clock, store: { ...store, tags: { ...store.tags, indexedAliveTagAt: async () => 'was-here' } } };
    const promote = (tag: string) =>
      retarget(staleDeps, actor, { tag, manifestDigest: pushed.digest, reversion: false, reachableOnly: true, changes: () => [] });
    await expect(promote('prod')).rejects.toMatchObject({ kind: 'not_found' });
    expect(await store.tags.getLiveTag(actor.pk, 'prod')).toBeNull();
    // Reachable through another tag the index does not show: the table finds it, the promotion lands.
    await moveTag(deps, actor, 'keeper', pushed.digest);
    await promote('prod');
    expect((await store.tags.getLiveTag(actor.pk, 'prod'))?.manifestDigest).toBe(pushed.digest);
  });
});
