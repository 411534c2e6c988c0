/**
 * Tag immutability against DynamoDB Local: the flag is a condition of the tag transactions
 * themselves (not only a check of what was read), so a move racing a "make immutable" ends in
 * exactly one of the two orders; a policy applied to more tags than one request examines is
 * resumed by the sweep.
 */
import { describe, expect, it } from 'vitest';
import { TagImmutableError } from '../../shared/domain/errors.js';
import { applyToRepository } from '../../shared/domain/policy-application.js';
import { runSweep } from '../../shared/domain/sweep.js';
import { changeImmutability } from '../../shared/domain/tag-protection.js';
import { WriteConflictError } from '../../shared/store/index.js';
import type { ImmutabilityPolicy } from '../../shared/store/index.js';
import { TestClock, moveTag, newActor, pushManifest, useStoreTables } from '../support/store-harness.js';

const { store } = useStoreTables('protect');
const clock = new TestClock(1_700_000_000_000);
const deps = { store, clock };

describe('the immutable flag in the transaction conditions', () => {
  it('a retarget whose read predates "make immutable" fails even with the version it now has', async () => {
    const actor = newActor('owner', 'cond');
    const a = await pushManifest(deps, actor, 'hot');
    const b = await pushManifest(deps, actor, 'other');
    const read = (await store.tags.getLiveTag(actor.pk, 'hot'))!;
    await changeImmutability(deps, actor, 'hot', true, true);
    const now = (await store.tags.getLiveTag(actor.pk, 'hot'))!;
    clock.advance(1000);
    // What the mover believes (not immutable) with the version that is stored now: only the
    // immutability condition can refuse it.
    const stale = { ...read, version: now.version };
    const write = {
      pk: actor.pk,
      current: stale,
      previous: 'open' as const,
      range: { name: 'hot', manifestDigest: b.digest, start: clock.now(), reversion: false },
      windowS: actor.windowS,
      manifest: { kind: 'stored' as const },
      changes: [],
    };
    await expect(store.tags.retargetTag(write)).rejects.toBeInstanceOf(WriteConflictError);
    await expect(store.tags.deleteTag({ pk: actor.pk, current: stale, nowMs: clock.now(), windowS: actor.windowS, change: { kind: 'delete_tag', namespace: 'owner', repository: actor.repository, performer: null, ip: null, at: clock.now(), metadata: {} } })).rejects.toBeInstanceOf(WriteConflictError);
    await expect(store.tags.setTagExpiration(actor.pk, stale, clock.now() + 7_200_000, null)).rejects.toBeInstanceOf(WriteConflictError);
    expect(await store.tags.getLiveTag(actor.pk, 'hot')).toMatchObject({ manifestDigest: a.digest, immutable: true });
  });

  it('moves racing "make immutable" end in one order: every move before it succeeded, every one after failed with tag_immutable', async () => {
    for (let round = 0; round < 5; round++) {
      const actor = newActor('owner', 'race');
      const targets = [];
      for (let index = 0; index < 4; index++) targets.push(await pushManifest(deps, actor, `keep-${index}`));
      await moveTag(deps, actor, 'hot', targets[0]!.digest);
      const outcomes = await Promise.allSettled([
        ...targets.map((target) => moveTag(deps, actor, 'hot', target.digest)),
        changeImmutability(deps, actor, 'hot', true, true),
      ]);
      const lock = outcomes.at(-1)!;
      expect(lock.status).toBe('fulfilled');
      const moves = outcomes.slice(0, -1);
      for (const move of moves) {
        if (move.status === 'rejected') expect(move.reason).toBeInstanceOf(TagImmutableError);
      }
      const pointer = (await store.tags.getLiveTag(actor.pk, 'hot'))!;
      expect(pointer.immutable).toBe(true);
      expect(pointer.endedBy).toBeUndefined();
      // The locked range is the newest one: no move opened a range after it.
      const history = await store.tags.queryHistory({ pk: actor.pk, filter: { kind: 'tag', name: 'hot' }, skip: 0, limit: 50, readBudget: 1000 });
      const ranges = history.ranges;
      expect(ranges[0]).toMatchObject({ start: pointer.start, immutable: true });
      expect(ranges.length).toBe(1 + moves.filter((move) => move.status === 'fulfilled').length);
    }
  });
});

describe('applying a policy beyond one request', () => {
  it('examines a bounded number of tags per call and resumes after the cursor', async () => {
    const actor = newActor('owner', 'bulk');
    const manifest = await pushManifest(deps, actor, 'seed');
    for (let index = 0; index < 130; index++) await moveTag(deps, actor, `rel-${String(index).padStart(3, '0')}`, manifest.digest);
    const policy: ImmutabilityPolicy = { uuid: '11111111-1111-4111-8111-111111111111', scope: 'repository', tagPattern: 'rel-.*', tagPatternMatches: true };
    const first = await applyToRepository(deps, actor.namespace, actor.repository, policy, undefined, 50);
    expect(first.examined).toBe(50);
    expect(first.resumeAfter).not.toBeNull();
    const marked = async () => (await store.tags.listAliveTags(actor.pk, clock.now(), 500)).tags.filter((tag) => tag.immutable).length;
    expect(await marked()).toBe(first.marked);
    const rest = await applyToRepository(deps, actor.namespace, actor.repository, policy, first.resumeAfter!, 10_000);
    expect(rest.resumeAfter).toBeNull();
    expect(first.marked + rest.marked).toBe(130);
    expect(await marked()).toBe(130);
    const seed = (await store.tags.getLiveTag(actor.pk, 'seed'))!;
    expect(seed.immutable).toBeUndefined();
  });

  it('a pending application queued for the sweep is resumed there while its policy is in force, then removed', async () => {
    const actor = newActor('sweptns', 'swept');
    await pushManifest(deps, actor, 'rel-a');
    await pushManifest(deps, actor, 'dev-a');
    expect((await store.tags.getLiveTag(actor.pk, 'rel-a'))!.immutable).toBeUndefined();
    const policy: ImmutabilityPolicy = { uuid: '22222222-2222-4222-8222-222222222222', scope: 'namespace', tagPattern: 'rel-.*', tagPatternMatches: true };
    await store.immutabilityPolicies.putPolicy({ namespace: 'sweptns', userNamespace: true }, policy, 'create', clock.now(), {
      kind: 'create_immutability_policy', namespace: 'sweptns', repository: null, performer: null, ip: null, at: clock.now(), metadata: {},
    });
    await store.immutabilityPolicies.queueApplication({ namespace: 'sweptns', repository: actor.repository, policy, dueAt: clock.now() });
    clock.advance(1000);
    await runSweep(deps, { budgetMs: 30_000, batchSize: 100 });
    expect((await store.tags.getLiveTag(actor.pk, 'rel-a'))!).toMatchObject({ immutable: true, immutablePolicy: policy.uuid });
    expect((await store.tags.getLiveTag(actor.pk, 'dev-a'))!.immutable).toBeUndefined();
    expect(await store.immutabilityPolicies.getApplication(actor.pk, `IMMAPPLY#${policy.uuid}`)).toBeNull();
  });

  it('a pending application whose policy was deleted is dropped without marking anything', async () => {
    const actor = newActor('gonens', 'gone');
    await pushManifest(deps, actor, 'rel-a');
    const policy: ImmutabilityPolicy = { uuid: '33333333-3333-4333-8333-333333333333', scope: 'namespace', tagPattern: 'rel-.*', tagPatternMatches: true };
    await store.immutabilityPolicies.queueApplication({ namespace: 'gonens', repository: actor.repository, policy, dueAt: clock.now() });
    clock.advance(1000);
    await runSweep(deps, { budgetMs: 30_000, batchSize: 100 });
    expect((await store.tags.getLiveTag(actor.pk, 'rel-a'))!.immutable).toBeUndefined();
    expect(await store.immutabilityPolicies.getApplication(actor.pk, `IMMAPPLY#${policy.uuid}`)).toBeNull();
  });
});
