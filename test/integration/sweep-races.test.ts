/**
 * The sweep against concurrent writers: it acts on a due-index read that may be stale by the time
 * it writes. Each case freezes that read, lets a writer change the tag, then runs the sweep on the
 * stale read: the sweep must skip, never clobber, and the history must stay whole.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { runSweep } from '../../shared/domain/sweep.js';
import { changeExpiration, deleteTag } from '../../shared/domain/tag-operations.js';
import type { Actor } from '../../shared/domain/tag-operations.js';
import type { Store } from '../../shared/store/index.js';
import type { DueItem } from '../../shared/store/sweep.js';
import { TestClock, moveTag, newActor, pushManifest, useStoreTables } from '../support/store-harness.js';

const { store, client, registryTable } = useStoreTables('sweep');

const T0 = 1_600_000_000_000;
const HOUR = 3_600_000;
const clock = new TestClock(T0);
const deps = { store, clock };

/** The due items of every shard as the sweep would read them right now. */
async function dueNow(): Promise<Map<string, DueItem[]>> {
  const byShard = new Map<string, DueItem[]>();
  for (let shard = 0; shard < 8; shard++) {
    byShard.set(`DUE#${shard}`, (await store.sweep.queryDue(`DUE#${shard}`, clock.now(), 100)).items);
  }
  return byShard;
}

/** A store whose due-index reads return what was read earlier (a stale GSI). */
function withStaleQueue(stale: Map<string, DueItem[]>): Store {
  return {
    ...store,
    sweep: { ...store.sweep, queryDue: async (shard: string) => ({ items: stale.get(shard) ?? [], read: stale.get(shard)?.length ?? 0 }) },
  };
}

const sweepWith = (storeUsed: Store) => runSweep({ store: storeUsed, clock }, { budgetMs: 30_000, batchSize: 100 });

async function rangesOf(actor: Actor, name: string) {
  return (await store.tags.queryHistory({ pk: actor.pk, filter: { kind: 'tag', name }, skip: 0, limit: 100, readBudget: Infinity })).ranges.sort(
    (a, b) => a.start - b.start,
  );
}

async function changeKinds(actor: Actor): Promise<string[]> {
  const result = await client.send(
    new QueryCommand({
      TableName: registryTable,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': actor.pk, ':prefix': 'CHG#' },
      ConsistentRead: true,
    }),
  );
  return (result.Items ?? []).map((item) => item.kind as string);
}

async function expiringTag(label: string) {
  clock.set(T0);
  const actor = newActor('sweeprace', label);
  const first = await pushManifest(deps, actor, 'v');
  await changeExpiration(deps, actor, 'v', Math.floor((T0 + HOUR) / 1000));
  clock.set(T0 + HOUR + 1);
  return { actor, first };
}

describe('sweep versus a concurrent writer', () => {
  it('a move after the index read: the move finalized the expiry; the sweep skips', async () => {
    const { actor, first } = await expiringTag('move');
    const stale = await dueNow();
    const second = await pushManifest(deps, actor, null);
    await moveTag(deps, actor, 'v', second.digest);

    const report = await sweepWith(withStaleQueue(stale));
    expect(report.expired).toBe(0);
    const ranges = await rangesOf(actor, 'v');
    expect(ranges.map((range) => [range.manifestDigest, range.endedBy ?? null])).toEqual([
      [first.digest, 'expired'],
      [second.digest, null],
    ]);
    expect(ranges[0].end).toBe(T0 + HOUR);
    expect((await changeKinds(actor)).filter((kind) => kind === 'tag_expired')).toHaveLength(1);
  });

  it('a delete after the index read: nothing to expire, no tag_expired entry', async () => {
    clock.set(T0);
    const actor = newActor('sweeprace', 'delete');
    await pushManifest(deps, actor, 'v');
    await changeExpiration(deps, actor, 'v', Math.floor((T0 + HOUR) / 1000));
    clock.set(T0 + HOUR - 1000);
    await deleteTag(deps, actor, 'v');
    clock.set(T0 + HOUR + 1);
    const stale = await dueNow();
    const report = await sweepWith(withStaleQueue(stale));
    expect(report.expired).toBe(0);
    const [range] = await rangesOf(actor, 'v');
    expect(range).toMatchObject({ endedBy: 'deleted', end: T0 + HOUR - 1000 });
    expect(await changeKinds(actor)).not.toContain('tag_expired');
  });

  it('an expiration pushed later after the index read: the tag stays alive', async () => {
    const { actor } = await expiringTag('extend');
    // The read happens while the tag is due...
    const stale = await dueNow();
    expect([...stale.values()].flat().some((item) => item.pk === actor.pk)).toBe(true);
    // ...then, back at an instant before the expiry, someone extends it.
    clock.set(T0 + HOUR - 1);
    await changeExpiration(deps, actor, 'v', Math.floor((T0 + 5 * HOUR) / 1000));
    clock.set(T0 + HOUR + 1);
    const report = await sweepWith(withStaleQueue(stale));
    expect(report.expired).toBe(0);
    const [range] = await rangesOf(actor, 'v');
    expect(range.endedBy).toBeUndefined();
    expect(range.end).toBe(T0 + 5 * HOUR);
  });

  it('a restore of a manifest while its last range is being purged: one of them wins, nothing dangles', async () => {
    clock.set(T0);
    const actor = newActor('shortwindow', 'purge', 60);
    // The sweep reads the namespace's window in force when it purges.
    await store.namespaces.setTagExpiration('shortwindow', 'user', 60, T0, {
      kind: 'user_change_tag_expiration', namespace: 'shortwindow', repository: null, performer: null, ip: null, at: T0, metadata: {},
    });
    const manifest = await pushManifest(deps, actor, 'v');
    await deleteTag(deps, actor, 'v');
    clock.set(T0 + 61_000);
    const stale = await dueNow();
    // The restore lands first: it references the manifest again.
    await moveTag(deps, actor, 'w', manifest.digest, true);
    const report = await sweepWith(withStaleQueue(stale));
    expect(report.purged_ranges).toBe(1);
    expect(report.deleted_manifests).toBe(0);
    expect((await store.manifests.getManifestRefs(actor.pk, manifest.digest))?.refs).toBe(1);
    expect((await rangesOf(actor, 'w'))[0].manifestDigest).toBe(manifest.digest);
  });

  it('running the sweep again changes nothing more', async () => {
    const { actor } = await expiringTag('twice');
    const first = await sweepWith(store);
    expect(first.expired).toBeGreaterThanOrEqual(1);
    const second = await sweepWith(store);
    expect(second).toMatchObject({ expired: 0, purged_ranges: 0, deleted_manifests: 0 });
    expect((await changeKinds(actor)).filter((kind) => kind === 'tag_expired')).toHaveLength(1);
  });

  it('stops within its time budget and resumes where it stopped', async () => {
    clock.set(T0 + 10 * HOUR);
    const actor = newActor('sweeprace', 'budget');
    for (let index = 0; index < 30; index++) {
      await pushManifest(deps, actor, `t${index}`);
      await changeExpiration(deps, actor, `t${index}`, Math.floor((T0 + 12 * HOUR) / 1000));
    }
    clock.set(T0 + 12 * HOUR + 1);
    const cut = await runSweep({ store, clock }, { budgetMs: 0, batchSize: 5 });
    expect(cut).toMatchObject({ expired: 0, more: true });
    for (let run = 0; run < 20; run++) {
      if (!(await runSweep({ store, clock }, { budgetMs: 30_000, batchSize: 5 })).more) break;
    }
    expect((await changeKinds(actor)).filter((kind) => kind === 'tag_expired')).toHaveLength(30);
    const alive = await store.tags.queryHistory({ pk: actor.pk, filter: { kind: 'active', nowMs: clock.now() }, skip: 0, limit: 100, readBudget: Infinity });
    expect(alive.ranges).toEqual([]);
  });
});
