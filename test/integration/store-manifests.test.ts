/** Manifests by digest and by legacy image id, and whether an alive tag reaches a manifest. */
import { describe, expect, it } from 'vitest';
import { dockerImageId, legacyImageChain } from '../../shared/domain/legacy-ids.js';
import { parseManifest } from '../../shared/domain/manifest.js';
import { changeExpiration, deleteTag, isReachableFromAliveTag, manifestForLegacyImage } from '../../shared/domain/tag-operations.js';
import { resetUsage } from '../../shared/store/client.js';
import { imageManifest } from '../support/manifests.js';
import type { BuiltManifest } from '../support/manifests.js';
import { HOUR, T0, commands, storeSuite } from '../support/store-suite.js';

const { store, clock, deps, newActor, push, move } = storeSuite('manifests');

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
    expect((await store.tags.aliveTagAt(actor.pk, m1.digest, clock.now()) !== null)).toBe(true);
    // On the base table: the reference count names the tag that referenced it last, whose pointer confirms.
    expect(commands()).toEqual({ GetItemCommand: 2 });
    expect((await store.tags.indexedAliveTagAt(actor.pk, m1.digest, clock.now(), 'one')) !== null).toBe(true);
    expect((await store.tags.indexedAliveTagAt(actor.pk, m2.digest, clock.now(), 'two')) !== null).toBe(false);

    clock.set(T0 + 1000);
    await move(actor, 'also', m2.digest);
    expect((await store.tags.indexedAliveTagAt(actor.pk, m1.digest, clock.now(), 'one')) !== null).toBe(false);
    // 'also' moved away, 'one' still points at m1: the index's candidate, confirmed on its pointer.
    expect((await store.tags.aliveTagAt(actor.pk, m1.digest, clock.now()) !== null)).toBe(true);
    await deleteTag(deps, actor, 'one');
    expect((await store.tags.aliveTagAt(actor.pk, m1.digest, clock.now()) !== null)).toBe(false);
    expect(await isReachableFromAliveTag(deps, actor.pk, m1.digest)).toBe(false);

    await changeExpiration(deps, actor, 'two', Math.floor(T0 / 1000) + 7200);
    await changeExpiration(deps, actor, 'also', Math.floor(T0 / 1000) + 7200);
    expect((await store.tags.aliveTagAt(actor.pk, m2.digest, T0 + 2 * HOUR - 1)) !== null).toBe(true);
    expect((await store.tags.aliveTagAt(actor.pk, m2.digest, T0 + 2 * HOUR)) !== null).toBe(false);
    clock.set(T0 + 2 * HOUR);
    expect(await isReachableFromAliveTag(deps, actor.pk, m2.digest)).toBe(false);
  });
});
