import { createHash } from 'node:crypto';
import { describe, it, expect } from 'vitest';
import { dockerImageId, legacyImageChain } from '../../shared/domain/legacy-ids.js';

const hex = (s: string) => createHash('sha256').update(s).digest('hex');
const d = (seed: string) => `sha256:${hex(seed)}`;
const layer = (seed: string) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: d(seed), size: 1 });

function image(layerSeeds: string[], config = 'config') {
  return {
    isList: false,
    layers: layerSeeds.map(layer),
    configDigest: d(config),
    digest: d(`manifest:${layerSeeds.join(',')}:${config}`),
  };
}

/** Chain base first, to compare positions from the base. */
const baseFirst = (m: ReturnType<typeof image>) => legacyImageChain(m).reverse();

describe('legacyImageChain', () => {
  it('follows the documented formula, leaf first', () => {
    const m = image(['a', 'b', 'c']);
    const id0 = hex(`quay-legacy-image:v1\n${d('a')}`);
    const id1 = hex(`${id0}\n${d('b')}`);
    const top = hex(`${id1}\n${d('c')}\nconfig\n${d('config')}`);
    expect(legacyImageChain(m)).toEqual([top, id1, id0]);
    expect(dockerImageId(m)).toBe(top);
  });

  it('gives one id per layer, the single layer mixing in the config', () => {
    const m = image(['a']);
    expect(legacyImageChain(m)).toEqual([hex(`quay-legacy-image:v1\n${d('a')}\nconfig\n${d('config')}`)]);
  });

  it('gives zero-layer manifests one id from the config alone', () => {
    const m = image([]);
    expect(legacyImageChain(m)).toEqual([hex(`quay-legacy-image:v1\nconfig\n${d('config')}`)]);
    expect(dockerImageId(image([], 'other'))).not.toBe(dockerImageId(m));
  });

  it('gives manifest lists one id from the list digest', () => {
    const list = { isList: true, layers: [], configDigest: null, digest: d('list') };
    expect(legacyImageChain(list)).toEqual([hex(`quay-legacy-list:v1\n${d('list')}`)]);
  });

  it('is deterministic and 64 lowercase hex', () => {
    const chain = legacyImageChain(image(['a', 'b', 'c', 'd']));
    expect(chain).toHaveLength(4);
    expect(legacyImageChain(image(['a', 'b', 'c', 'd']))).toEqual(chain);
    for (const id of chain) expect(id).toMatch(/^[a-f0-9]{64}$/);
    expect(new Set(chain).size).toBe(4);
  });

  it('shares the ids of a shared base prefix except the top, then diverges', () => {
    // a,b,c is the whole of `short`, so its top (position 2) mixes in the config: only 0..1 shared.
    const short = baseFirst(image(['a', 'b', 'c']));
    const long = baseFirst(image(['a', 'b', 'c', 'd']));
    expect(long.slice(0, 2)).toEqual(short.slice(0, 2));
    expect(long[2]).not.toBe(short[2]);

    // Two images on the same k=2 base layers share those ids, and nothing after them.
    const x = baseFirst(image(['a', 'b', 'x', 'y']));
    const y = baseFirst(image(['a', 'b', 'z', 'y']));
    expect(x.slice(0, 2)).toEqual(y.slice(0, 2));
    expect(x[2]).not.toBe(y[2]);
    expect(x[3]).not.toBe(y[3]);
  });

  it('differs from the first differing layer on', () => {
    const a = baseFirst(image(['a', 'b', 'c']));
    const b = baseFirst(image(['z', 'b', 'c']));
    for (let i = 0; i < 3; i++) expect(a[i]).not.toBe(b[i]);
  });

  it('changes only the top id when only the config changes', () => {
    const a = legacyImageChain(image(['a', 'b', 'c'], 'config-1'));
    const b = legacyImageChain(image(['a', 'b', 'c'], 'config-2'));
    expect(a[0]).not.toBe(b[0]);
    expect(a.slice(1)).toEqual(b.slice(1));
  });

  it('depends on layer order', () => {
    expect(dockerImageId(image(['a', 'b']))).not.toBe(dockerImageId(image(['b', 'a'])));
  });
});
