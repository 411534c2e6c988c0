/**
 * Auto-prune against DynamoDB Local: the property that a run at instant T prunes exactly the tags the
 * preview at T marked `prune` (generated repositories, histories, immutable flags and policies);
 * races between a prune and a user's move or restore of the same tag (injected between the run's
 * read and its write); and a namespace job that runs out of time and resumes where it stopped.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideRetention } from '../../shared/domain/retention.js';
import { policiesInForce, previewRepository, prunePlanForTag, pruneRepository } from '../../shared/domain/retention-run.js';
import type { AutoprunePolicy } from '../../shared/domain/retention-policy.js';
import { runRetentionJob } from '../../shared/domain/retention-sweep.js';
import { deleteTag } from '../../shared/domain/tag-operations.js';
import type { Actor } from '../../shared/domain/tag-operations.js';
import type { Store } from '../../shared/store/index.js';
import { TestClock, moveTag, newActor, pushManifest, useStoreTables } from '../support/store-harness.js';

const { store, client, registryTable } = useStoreTables('retention');
const T0 = 1_700_000_000_000;
const MINUTE = 60_000;
const clock = new TestClock(T0);
const deps = { store, clock };
const ref = (actor: Actor) => ({ namespace: actor.namespace, repository: actor.repository });
const change = (actor: Actor | { namespace: string; repository: null }) => ({
  kind: 'test', namespace: actor.namespace, repository: actor.repository, performer: null, ip: null, at: clock.now(), metadata: {},
});

async function createRepository(actor: Actor) {
  await store.repositories.createRepository(
    { namespace: actor.namespace, name: actor.repository, kind: 'image', visibility: 'private', description: '', createdAt: clock.now() },
    false,
    change(actor),
  );
}

async function addPolicy(actor: Actor, policy: Omit<AutoprunePolicy, 'createdAt'>, level: 'namespace' | 'repository' = 'repository') {
  const scope = level === 'namespace' ? { namespace: actor.namespace, repository: null } : ref(actor);
  await store.retention.createPolicy(scope, { ...policy, createdAt: clock.now() }, { ...change(actor), repository: scope.repository });
}

/** What the immutability feature writes on a pointer (another module owns the API for it). */
async function markImmutable(actor: Actor, tag: string) {
  await client.send(new UpdateCommand({ TableName: registryTable, Key: { PK: actor.pk, SK: `TAG#${tag}` }, UpdateExpression: 'SET immutable = :yes', ExpressionAttributeValues: { ':yes': true } }));
}

const tagName = fc.constantFrom('v1', 'v2', 'v3', 'dev-1', 'dev-2', 'latest', `sha256-${'a'.repeat(64)}.sig`);
const operation = fc.oneof(
  fc.record({ kind: fc.constant('push' as const), tag: tagName, gapMin: fc.integer({ min: 1, max: 90 }) }),
  fc.record({ kind: fc.constant('delete' as const), tag: tagName, gapMin: fc.integer({ min: 1, max: 90 }) }),
  fc.record({ kind: fc.constant('immutable' as const), tag: tagName, gapMin: fc.constant(0) }),
);
const policy = fc.oneof(
  fc.record({ method: fc.constant('number_of_tags' as const), value: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ method: fc.constant('creation_date' as const), value: fc.constantFrom('30m', '1h', '2h', '1d') }),
).chain((base) =>
  fc.record({
    tagPattern: fc.constantFrom(null, 'v.*', 'dev-[0-9]', '('),
    tagPatternMatches: fc.boolean(),
    level: fc.constantFrom('namespace' as const, 'repository' as const),
  }).map((extra) => ({ ...base, ...extra })),
);

describe('preview = run', () => {
  it('a run at T prunes exactly what the preview at T marked prune, and leaves nothing to prune', async () => {
    let runIndex = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 10 }), fc.array(policy, { minLength: 1, maxLength: 3 }), fc.integer({ min: 0, max: 300 }), async (operations, policies, laterMin) => {
        clock.set(T0);
        const actor = newActor(`propns${++runIndex}`, 'prop');
        await createRepository(actor);
        for (const step of operations) {
          clock.advance(step.gapMin * MINUTE);
          const pointer = await store.tags.getLiveTag(actor.pk, step.tag);
          const alive = pointer && !pointer.endedBy;
          if (step.kind === 'push') await pushManifest(deps, actor, step.tag);
          else if (step.kind === 'delete' && alive) await deleteTag(deps, actor, step.tag);
          else if (step.kind === 'immutable' && alive) await markImmutable(actor, step.tag);
        }
        for (const [index, { level, ...config }] of policies.entries()) {
          await addPolicy(actor, { uuid: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`, ...config }, level);
        }
        clock.advance(laterMin * MINUTE);
        const preview = await previewRepository(deps, ref(actor), null);
        const expected = preview.tags.filter((tag) => tag.decision === 'prune').map((tag) => tag.name).sort();
        const run = await pruneRepository(deps, ref(actor), await policiesInForce(store, ref(actor)), actor.windowS);
        expect(run.pruned.map((entry) => entry.tag).sort()).toEqual(expected);
        // Every alive tag appears once; immutable and Cosign tags are never pruned.
        expect(new Set(preview.tags.map((tag) => tag.name)).size).toBe(preview.tags.length);
        for (const tag of preview.tags) if (tag.name.endsWith('.sig')) expect(tag.decision).toBe('keep');
        const again = await previewRepository(deps, ref(actor), null);
        expect(again.tags.filter((tag) => tag.decision === 'prune')).toEqual([]);
        const pointers = await Promise.all(preview.tags.map((tag) => store.tags.getLiveTag(actor.pk, tag.name)));
        for (const pointer of pointers) if (pointer?.immutable) expect(expected).not.toContain(pointer.name);
      }),
      { numRuns: 12 },
    );
    // 12 generated repositories: a few seconds alone, more beside the fuzz suite on 2 cores.
  }, 180_000);
});

/** A store whose first read of alive tags lets `interleave` act right after it (a user between read and write). */
function interleaved(interleave: () => Promise<void>): Store {
  let first = true;
  return {
    ...store,
    retention: {
      ...store.retention,
      listAlivePointers: async (...args) => {
        const result = await store.retention.listAlivePointers(...args);
        if (first) {
          first = false;
          await interleave();
        }
        return result;
      },
    },
  };
}

describe('a prune racing a user', () => {
  async function threeTags(label: string) {
    clock.set(T0);
    const actor = newActor('raceprune', label);
    await createRepository(actor);
    const manifests = [];
    for (const tag of ['a', 'b', 'c']) {
      clock.advance(MINUTE);
      manifests.push(await pushManifest(deps, actor, tag));
    }
    await addPolicy(actor, { uuid: '00000000-0000-4000-8000-000000000001', method: 'number_of_tags', value: 2, tagPattern: null, tagPatternMatches: true });
    clock.advance(MINUTE);
    return { actor, manifests };
  }

  it('explains which policy would prune a tag (for tag protection)', async () => {
    const { actor } = await threeTags('explain');
    expect(await prunePlanForTag(store, ref(actor), 'a', clock.now())).toEqual({ policy_uuid: '00000000-0000-4000-8000-000000000001', method: 'number_of_tags', reason: 'not among the newest 2 tags' });
    expect(await prunePlanForTag(store, ref(actor), 'c', clock.now())).toBeNull();
    expect(await prunePlanForTag(store, ref(actor), 'missing', clock.now())).toBeNull();
  });

  it('a move of the tag being pruned wins; the prune is re-decided', async () => {
    const { actor, manifests } = await threeTags('move');
    // The run decided to prune a (the oldest); the user moves a before the delete lands.
    const racing = { store: interleaved(() => moveTag(deps, actor, 'a', manifests[2].digest).then(() => undefined)), clock };
    const run = await pruneRepository(racing, ref(actor), await policiesInForce(store, ref(actor)), actor.windowS);
    const a = await store.tags.getLiveTag(actor.pk, 'a');
    expect([a?.endedBy ?? null, a?.manifestDigest]).toEqual([null, manifests[2].digest]);
    // Re-decided over the fresh state: a is now the newest, so b is the one pruned.
    expect(run.pruned.map((entry) => entry.tag)).toEqual(['b']);
    const state = (await store.retention.listAlivePointers(actor.pk, clock.now())).tags;
    expect(decideRetention(state, await policiesInForce(store, ref(actor)), clock.now()).filter((tag) => tag.decision === 'prune')).toEqual([]);
  });

  it('a restore of a tag during the run is never undone by it', async () => {
    const { actor, manifests } = await threeTags('restore');
    await deleteTag(deps, actor, 'c');
    // Read sees a, b (nothing to prune under keep-2)... then the user restores c: still nothing pruned.
    const racing = { store: interleaved(() => moveTag(deps, actor, 'c', manifests[2].digest, true).then(() => undefined)), clock };
    const run = await pruneRepository(racing, ref(actor), await policiesInForce(store, ref(actor)), actor.windowS);
    expect(run.pruned).toEqual([]);
    expect((await store.tags.getLiveTag(actor.pk, 'c'))?.endedBy).toBeUndefined();
  });

  it('a stale pointer (user deleted then re-pushed the tag) is not pruned by the stale decision', async () => {
    const { actor } = await threeTags('repush');
    const racing = {
      store: interleaved(async () => {
        await deleteTag(deps, actor, 'a');
        clock.advance(1);
        await pushManifest(deps, actor, 'a');
      }),
      clock,
    };
    const run = await pruneRepository(racing, ref(actor), await policiesInForce(store, ref(actor)), actor.windowS);
    expect((await store.tags.getLiveTag(actor.pk, 'a'))?.endedBy).toBeUndefined();
    expect(run.pruned.map((entry) => entry.tag)).toEqual(['b']);
  });
});

describe('a namespace job out of time', () => {
  it('keeps its place and resumes at the next repository', async () => {
    clock.set(T0);
    const repositories = ['r1', 'r2', 'r3'].map((name) => ({ ...newActor('resumens', name), repository: name, pk: `REPO#resumens/${name}` }));
    for (const actor of repositories) {
      await createRepository(actor);
      for (const tag of ['x', 'y']) {
        clock.advance(MINUTE);
        await pushManifest(deps, actor, tag);
      }
    }
    await addPolicy(repositories[0], { uuid: '00000000-0000-4000-8000-000000000002', method: 'number_of_tags', value: 1, tagPattern: null, tagPatternMatches: true }, 'namespace');
    const job = await store.retention.getJob({ namespace: 'resumens', repository: null });
    const item = { pk: 'NS#resumens', namespace: 'resumens', repository: '', sk: '#AUTOPRUNE', kind: 'prune-namespace' as const, dueAt: job!.dueAt };
    let budget = 1;
    const first = await runRetentionJob(deps, item, async () => 3600, () => budget-- <= 0);
    expect(first.pruned).toBe(1);
    expect((await store.retention.getJob({ namespace: 'resumens', repository: null }))?.cursor).toBe('r1');
    const second = await runRetentionJob(deps, item, async () => 3600, () => false);
    expect(second.pruned).toBe(2);
    const settled = await store.retention.getJob({ namespace: 'resumens', repository: null });
    expect(settled?.cursor).toBeUndefined();
    expect(settled!.dueAt).toBeGreaterThan(clock.now());
    for (const actor of repositories) expect((await store.retention.listAlivePointers(actor.pk, clock.now())).tags.map((tag) => tag.name)).toEqual(['y']);
  });
});
