/**
 * Property: no sequence of tag operations (moves, pushes, restores, deletes, expirations, unset
 * attempts by a writer, time passing and sweeps) leaves an immutable tag moved, deleted or expired.
 * Runs the real domain functions against DynamoDB Local.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../shared/domain/errors.js';
import { runSweep } from '../../shared/domain/sweep.js';
import { changeExpiration, deleteTag } from '../../shared/domain/tag-operations.js';
import { changeImmutability } from '../../shared/domain/tag-protection.js';
import { isAlive } from '../../shared/domain/tag-rules.js';
import type { BuiltManifest } from '../support/manifests.js';
import { imageManifest } from '../support/manifests.js';
import { TestClock, moveTag, newActor, pushManifest, useStoreTables } from '../support/store-harness.js';

const { store } = useStoreTables('protectprop');
const clock = new TestClock(1_700_000_000_000);
const deps = { store, clock };
const TAGS = ['a', 'b', 'c'] as const;
const HOUR = 3_600_000;

const tag = fc.constantFrom(...TAGS);
const target = fc.integer({ min: 0, max: 2 });
const operation = fc.oneof(
  fc.record({ op: fc.constant('move' as const), tag, target }),
  fc.record({ op: fc.constant('push' as const), tag, target }),
  fc.record({ op: fc.constant('restore' as const), tag, target }),
  fc.record({ op: fc.constant('delete' as const), tag }),
  fc.record({ op: fc.constant('expire' as const), tag, hours: fc.integer({ min: -1, max: 3 }) }),
  fc.record({ op: fc.constant('lock' as const), tag }),
  fc.record({ op: fc.constant('writerUnlock' as const), tag }),
  fc.record({ op: fc.constant('time' as const), hours: fc.integer({ min: 0, max: 5 }), sweep: fc.boolean() }),
);
type Operation = typeof operation extends fc.Arbitrary<infer T> ? T : never;

describe('immutable tags under any sequence of operations', () => {
  it('stay alive, unmoved and without an expiration', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 12 }), async (operations) => {
        const actor = newActor('prop', 'seq');
        const manifests: BuiltManifest[] = [];
        for (let index = 0; index < 3; index++) manifests.push(await pushManifest(deps, actor, `keep-${index}`, imageManifest()));
        for (const name of TAGS) await moveTag(deps, actor, name, manifests[0]!.digest);
        const locked = new Map<string, string>();
        for (const step of operations) {
          await apply(actor, manifests, step, locked);
          for (const [name, digest] of locked) {
            const pointer = await store.tags.getLiveTag(actor.pk, name);
            expect(pointer && isAlive(pointer, clock.now()), `${name} alive after ${JSON.stringify(step)}`).toBe(true);
            expect(pointer).toMatchObject({ immutable: true, manifestDigest: digest });
            expect(pointer!.end).toBeUndefined();
          }
        }
      }),
      { numRuns: 12 },
    );
  });
});

async function apply(actor: ReturnType<typeof newActor>, manifests: BuiltManifest[], step: Operation, locked: Map<string, string>) {
  try {
    switch (step.op) {
      case 'move':
        return void (await moveTag(deps, actor, step.tag, manifests[step.target]!.digest));
      case 'restore':
        return void (await moveTag(deps, actor, step.tag, manifests[step.target]!.digest, true));
      case 'push':
        return void (await pushManifest(deps, actor, step.tag, manifests[step.target]!));
      case 'delete':
        return await deleteTag(deps, actor, step.tag);
      case 'expire':
        return await changeExpiration(deps, actor, step.tag, Math.floor((clock.now() + step.hours * HOUR) / 1000) + 60);
      case 'lock': {
        await changeImmutability(deps, actor, step.tag, true, true);
        const pointer = await store.tags.getLiveTag(actor.pk, step.tag);
        locked.set(step.tag, pointer!.manifestDigest);
        return;
      }
      case 'writerUnlock':
        return await changeImmutability(deps, actor, step.tag, false, false);
      case 'time':
        clock.advance(step.hours * HOUR);
        if (step.sweep) await runSweep(deps, { budgetMs: 30_000, batchSize: 100 });
        return;
    }
  } catch (error) {
    // Refusals (immutable, not found, expiration rules, forbidden) are outcomes; anything else is a bug.
    if (!(error instanceof DomainError)) throw error;
  }
}
