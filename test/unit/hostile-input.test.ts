/**
 * The bounds of shared/domain/limits.ts and where they apply (manifest parser, tag rows, names,
 * token subjects, the external base URL), as pure functions.
 */
import { describe, expect, it } from 'vitest';
import { principalFromClaims } from '../../shared/http/auth.js';
import { externalBaseUrl } from '../../shared/http/base-url.js';
import { sha256Digest } from '../../shared/domain/digest.js';
import { manifestRecord } from '../../shared/domain/ingest.js';
import {
  MAX_EMBEDDED_MANIFEST_BYTES,
  MAX_JSON_DEPTH,
  MAX_LAYERS,
  MAX_LIST_ROWS,
  RESPONSE_BUDGET_BYTES,
  isAcceptedInstant,
  jsonDepthExceeds,
  legacyImagesResponseBytes,
  payloadBytes,
} from '../../shared/domain/limits.js';
import { ManifestError, OCI_IMAGE_INDEX, OCI_IMAGE_MANIFEST, parseManifest } from '../../shared/domain/manifest.js';
import { NAMESPACE_PATTERN, REPOSITORY_PATTERN, isStorableName, isUserName } from '../../shared/domain/names.js';
import { tagView } from '../../shared/domain/tag-view.js';

const enc = new TextEncoder();
const d = (c: string | number) => sha256Digest(enc.encode(String(c)));
const deep = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

function image(layers: number[], extra = '') {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_IMAGE_MANIFEST,
    config: { mediaType: 'c', digest: d('config'), size: 1 },
    layers: layers.map((size, index) => ({ mediaType: 'l', digest: d(index), size })),
  }).replace(/}$/, extra ? `,${extra}}` : '}');
}

function invalid(body: string, mediaType = OCI_IMAGE_MANIFEST): ManifestError {
  try {
    parseManifest(enc.encode(body), mediaType);
  } catch (error) {
    return error as ManifestError;
  }
  throw new Error('expected a ManifestError');
}

describe('JSON depth', () => {
  it('counts brackets outside strings only, without recursion', () => {
    expect(jsonDepthExceeds(deep(MAX_JSON_DEPTH))).toBe(false);
    expect(jsonDepthExceeds(deep(MAX_JSON_DEPTH + 1))).toBe(true);
    expect(jsonDepthExceeds(JSON.stringify({ a: '['.repeat(1000) }))).toBe(false);
    expect(jsonDepthExceeds(JSON.stringify({ a: '\\"['.repeat(1000) }))).toBe(false);
    expect(jsonDepthExceeds(deep(1_000_000))).toBe(true);
  });

  it('refuses a deep manifest with MANIFEST_INVALID', () => {
    const error = invalid(image([1], `"x":${deep(90_000)}`));
    expect(error.code).toBe('MANIFEST_INVALID');
    expect(error.message).toContain('deeper than 64');
  });
});

describe('manifest caps', () => {
  it(`refuses more than ${MAX_LAYERS} layers, and layer sums past 2^53`, () => {
    expect(parseManifest(enc.encode(image(Array(MAX_LAYERS).fill(1))), OCI_IMAGE_MANIFEST).layers).toHaveLength(MAX_LAYERS);
    expect(invalid(image(Array(MAX_LAYERS + 1).fill(1))).message).toContain(`more than ${MAX_LAYERS}`);
    expect(invalid(image([2 ** 52, 2 ** 52, 2 ** 52])).message).toContain('2^53');
  });

  it('refuses an index naming one child twice', () => {
    const child = { mediaType: OCI_IMAGE_MANIFEST, digest: d('child'), size: 10 };
    const body = JSON.stringify({ schemaVersion: 2, mediaType: OCI_IMAGE_INDEX, manifests: [child, child] });
    expect(invalid(body, OCI_IMAGE_INDEX).message).toBe('manifests[1].digest names a child already listed');
  });

  it('keeps /images and a full page of rows within the response budget', () => {
    expect(legacyImagesResponseBytes(MAX_LAYERS)).toBeLessThan(RESPONSE_BUDGET_BYTES);
    // The estimate is an upper bound of a real chain's view.
    const chain = Array.from({ length: MAX_LAYERS }, () => 'f'.repeat(64));
    const view = chain.map((id, index) => ({
      id,
      created: 'Tue, 14 Nov 2023 22:13:20 -0000',
      comment: '',
      command: '',
      size: 2 ** 52,
      uploading: false,
      sort_index: MAX_LAYERS - index - 1,
      ancestors: `/${chain.slice(index + 1).join('/')}/`,
    }));
    expect(payloadBytes({ images: view })).toBeLessThan(legacyImagesResponseBytes(MAX_LAYERS));
    const rowOverhead = 2_000;
    expect(MAX_LIST_ROWS * (MAX_EMBEDDED_MANIFEST_BYTES + rowOverhead)).toBeLessThan(RESPONSE_BUDGET_BYTES);
  });
});

describe('tag rows', () => {
  const range = { name: 'latest', reversion: false, start: 1_700_000_000_000, manifestDigest: 'sha256:x' } as Parameters<typeof tagView>[0];

  function storedRecord(body: string, mediaType = OCI_IMAGE_MANIFEST) {
    const bytes = enc.encode(body);
    return manifestRecord(parseManifest(bytes, mediaType), bytes, 0);
  }

  it('never embeds a stored manifest too deep to serialize or too large for a page', () => {
    // Stored before the limits existed: built by hand, as the store would read it.
    const deepRecord = { ...storedRecord(image([1])), bytes: enc.encode(image([1], `"x":${deep(90_000)}`)) };
    const row = tagView(range, deepRecord);
    expect(row.manifest).toBeUndefined();
    expect(() => JSON.stringify(row)).not.toThrow();
    const large = storedRecord(image([1], `"annotations":{"a":"${'q'.repeat(MAX_EMBEDDED_MANIFEST_BYTES)}"}`));
    expect(tagView(range, large).manifest).toBeUndefined();
    expect(tagView(range, storedRecord(image([1]))).manifest).toBeDefined();
  });

  it('gives a manifest list no legacy image, and its size after is_manifest_list', () => {
    const list = JSON.stringify({ schemaVersion: 2, mediaType: OCI_IMAGE_INDEX, manifests: [{ mediaType: OCI_IMAGE_MANIFEST, digest: d(1), size: 1 }] });
    const row = tagView(range, storedRecord(list, OCI_IMAGE_INDEX));
    expect(Object.keys(row)).toEqual(['name', 'reversion', 'immutable', 'start_ts', 'manifest_digest', 'manifest', 'is_manifest_list', 'size', 'last_modified']);
    expect(row.size).toBeNull();
    const imageRow = tagView(range, storedRecord(image([1, 2])));
    expect(Object.keys(imageRow).slice(4, 8)).toEqual(['docker_image_id', 'image_id', 'size', 'manifest_digest']);
  });
});

describe('names', () => {
  it("follow Quay's rules", () => {
    for (const name of ['ab', 'a.b', 'a_b', 'a-b', 'a1.b2-c3_d4', 'x'.repeat(255)]) expect(NAMESPACE_PATTERN.test(name), name).toBe(true);
    for (const name of ['a', '_a', 'a_', 'a__b', 'a..b', 'A', 'a/b', 'a\u00a0', 'é', 'x'.repeat(256), 'a\n']) {
      expect(NAMESPACE_PATTERN.test(name), name).toBe(false);
    }
    expect(REPOSITORY_PATTERN.test('a')).toBe(true);
    expect(REPOSITORY_PATTERN.test('app-')).toBe(false);
    expect(isUserName('org+robot')).toBe(true);
    for (const name of ['org+', '+robot', 'a+b+c', 'org+ro bot']) expect(isUserName(name), name).toBe(false);
    expect(isStorableName('x/app')).toBe(false);
    expect(isStorableName('app')).toBe(true);
  });

  it('make a subject that is not a name, or a token without exp, anonymous', () => {
    const exp = 2_000_000_000;
    expect(principalFromClaims({ sub: 'alice', exp }, new Set())?.username).toBe('alice');
    expect(principalFromClaims({ sub: 'org+ci', exp }, new Set())?.isRobot).toBe(true);
    for (const sub of ['alice\u00a0', ' alice', 'alice/x', 'Alice', '']) expect(principalFromClaims({ sub, exp }, new Set()), sub).toBeNull();
    expect(principalFromClaims({ sub: 'alice' }, new Set())).toBeNull();
  });
});

describe('instants', () => {
  it('are those 13-digit keys order', () => {
    expect(isAcceptedInstant(0)).toBe(true);
    expect(isAcceptedInstant(9_999_999_999_999)).toBe(true);
    expect(isAcceptedInstant(10_000_000_000_000)).toBe(false);
    expect(isAcceptedInstant(-1)).toBe(false);
    expect(isAcceptedInstant(Number.NaN)).toBe(false);
  });
});

describe('external base URL', () => {
  it('takes X-Forwarded-Host only as a host[:port], else the Host header', () => {
    const host = '127.0.0.1:8080';
    expect(externalBaseUrl({ host, 'x-forwarded-host': 'registry.example:8443', 'x-forwarded-proto': 'https' }, undefined)).toBe('https://registry.example:8443');
    expect(externalBaseUrl({ host, 'x-forwarded-host': 'a.example, proxy.internal' }, undefined)).toBe('https://a.example');
    expect(externalBaseUrl({ host, 'x-forwarded-host': '[::1]:80' }, undefined)).toBe('https://[::1]:80');
    for (const hostile of ['evil/"><script>', 'a b', '[::1', '%%%', 'a'.repeat(300), 'host:99999999', 'host:99999', '[1:2]']) {
      expect(externalBaseUrl({ host, 'x-forwarded-host': hostile }, undefined), hostile).toBe('http://127.0.0.1:8080');
    }
    expect(externalBaseUrl({ host, 'x-forwarded-proto': 'javascript' }, undefined)).toBe('http://127.0.0.1:8080');
    expect(externalBaseUrl({ host: 'bad host' }, 'api.example.com')).toBe('https://api.example.com');
  });
});
