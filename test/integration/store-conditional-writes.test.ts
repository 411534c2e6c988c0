/**
 * Conditional tag writes are enforced by the write's own transaction, not only by the read before
 * it: with the pointer's version unchanged (so only the expectation can fail), a retarget or delete
 * whose expectation does not hold is cancelled and writes nothing.
 */
import { describe, expect, it } from 'vitest';
import { WriteConflictError } from '../../shared/store/index.js';
import { T0, storeSuite } from '../support/store-suite.js';

const { store, clock, newActor, push, history } = storeSuite('conditional');

const change = (actor: { namespace: string; repository: string }, at: number) => ({
  kind: 'move_tag', namespace: actor.namespace, repository: actor.repository, performer: null, ip: null, at, metadata: {},
});

describe('the expectation is a condition of the transaction', () => {
  it('cancels a retarget whose pointer is not at the expected digest, and one that expects no alive tag', async () => {
    const actor = newActor('condstore');
    clock.set(T0);
    const first = await push(actor, 'prod');
    const second = await push(actor, 'other');
    const current = await store.tags.getLiveTag(actor.pk, 'prod');
    const write = (expectation: { kind: 'alive_at'; digest: string } | { kind: 'not_alive' }) =>
      store.tags.retargetTag({
        pk: actor.pk,
        current,
        previous: 'open',
        range: { name: 'prod', manifestDigest: second.digest, start: T0 + 1000, reversion: false },
        windowS: actor.windowS,
        manifest: { kind: 'stored' },
        expect: { expectation, nowMs: T0 + 1000 },
        changes: [change(actor, T0 + 1000)],
      });
    await expect(write({ kind: 'alive_at', digest: second.digest })).rejects.toBeInstanceOf(WriteConflictError);
    await expect(write({ kind: 'not_alive' })).rejects.toBeInstanceOf(WriteConflictError);
    expect((await history(actor, { kind: 'tag', name: 'prod' })).map((range) => range.manifestDigest)).toEqual([first.digest]);
    await write({ kind: 'alive_at', digest: first.digest });
    expect((await store.tags.getLiveTag(actor.pk, 'prod'))?.manifestDigest).toBe(second.digest);
  });

  it('cancels a delete whose pointer is not at the expected digest', async () => {
    const actor = newActor('conddelete');
    clock.set(T0);
    const first = await push(actor, 'doomed');
    const other = await push(actor, 'other');
    const current = (await store.tags.getLiveTag(actor.pk, 'doomed'))!;
    const remove = (digest: string) =>
      store.tags.deleteTag({ pk: actor.pk, current, nowMs: T0 + 1000, windowS: actor.windowS, change: change(actor, T0 + 1000), expect: { kind: 'alive_at', digest } });
    await expect(remove(other.digest)).rejects.toBeInstanceOf(WriteConflictError);
    expect((await store.tags.getLiveTag(actor.pk, 'doomed'))?.endedBy).toBeUndefined();
    await remove(first.digest);
    expect((await store.tags.getLiveTag(actor.pk, 'doomed'))?.endedBy).toBe('deleted');
  });
});
