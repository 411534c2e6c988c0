/**
 * A push that fails after writing its manifest's index items (legacy image ids, list children)
 * takes them back: they never outlive the push, against DynamoDB Local. The failure is injected by
 * a store whose manifest transaction is unavailable; every other call is the real store.
 */
import { describe, expect, it } from 'vitest';
import { ingestManifest } from '../../shared/domain/ingest.js';
import { legacyImageChain } from '../../shared/domain/legacy-ids.js';
import { parseManifest } from '../../shared/domain/manifest.js';
import type { TagDeps } from '../../shared/domain/tag-operations.js';
import { imageManifest, manifestList } from '../support/manifests.js';
import type { BuiltManifest } from '../support/manifests.js';
import { TestClock, newActor, pushManifest, useStoreTables } from '../support/store-harness.js';

const { store } = useStoreTables('failed-push');

const clock = new TestClock(1_700_000_000_000);
const deps: TagDeps = { clock, store };

/** The real store, except that the transaction storing a new manifest fails. */
const failingDeps: TagDeps = {
  clock,
  store: {
    ...store,
    manifests: {
      ...store.manifests,
      storeUntaggedManifest: async () => {
        throw new Error('simulated: DynamoDB unavailable');
      },
    },
    tags: {
      ...store.tags,
      retargetTag: async () => {
        throw new Error('simulated: DynamoDB unavailable');
      },
    },
  },
};

function parsed(manifest: BuiltManifest) {
  const bytes = new TextEncoder().encode(manifest.body);
  return { bytes, parsed: parseManifest(bytes, manifest.mediaType) };
}

describe('index items of a failed push', () => {
  for (const tag of [null, 'latest']) {
    it(`are removed when the push fails (${tag ? 'by tag' : 'by digest'})`, async () => {
      const actor = newActor('ns', 'failed');
      const child = await pushManifest(deps, actor, null, imageManifest());
      const image = imageManifest({ layerCount: 3 });
      const list = manifestList([child]);
      for (const manifest of [image, list]) {
        const input = parsed(manifest);
        await expect(ingestManifest(failingDeps, actor, input.parsed, input.bytes, tag)).rejects.toThrow('simulated');
        expect(await store.manifests.getManifest(actor.pk, manifest.digest)).toBeNull();
        for (const id of legacyImageChain(input.parsed)) {
          expect(await store.manifests.findManifestsByLegacyImage(actor.pk, id)).toEqual([]);
        }
      }
      expect(await store.manifests.findParentLists(actor.pk, child.digest)).toEqual([]);
      // The same push, once the store answers, writes them again.
      await pushManifest(deps, actor, tag, list);
      expect(await store.manifests.findParentLists(actor.pk, child.digest)).toEqual([list.digest]);
    });
  }

  it('are kept when the manifest is stored after all', async () => {
    const actor = newActor('ns', 'kept');
    const image = await pushManifest(deps, actor, 'latest', imageManifest());
    const input = parsed(image);
    // Already stored: nothing new is written, and a failure takes nothing back.
    await ingestManifest(failingDeps, actor, input.parsed, input.bytes, 'other');
    const [top] = legacyImageChain(input.parsed);
    expect(await store.manifests.findManifestsByLegacyImage(actor.pk, top)).toEqual([{ digest: image.digest, position: 0 }]);
  });
});
