/**
 * Generated OCI and Docker manifests and indexes for `PUT /v2/.../manifests/{reference}`: mostly
 * well-formed, with hostile fields (sizes past 2^53, bad digests, wrong types, a child listed twice,
 * mismatched media types) and, for the poison property, bodies the service may accept but that must
 * never break a listing afterwards (deep nesting in unknown fields, thousands of layers).
 */
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { DOCKER_LIST, DOCKER_MANIFEST, OCI_INDEX, OCI_MANIFEST } from '../support/manifests.js';
import { deepArray, RawJson, renderJson } from './json-text.js';
import type { World } from './world.js';

export interface GeneratedManifest {
  text: string;
  mediaType?: string;
  /** The Content-Type header to send (undefined: none). */
  contentType?: string;
  digest: string;
}

export const sha256Of = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);
const goodDigest = hex64.map((hex) => `sha256:${hex}`);
const digest = fc.oneof(
  { weight: 8, arbitrary: goodDigest },
  { weight: 1, arbitrary: fc.constantFrom<unknown>('sha256:abc', `sha256:${'A'.repeat(64)}`, `md5:${'0'.repeat(32)}`, '', 12, null, `sha512:${'0'.repeat(128)}`) },
);
const size = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 10_000_000 }) },
  { weight: 2, arbitrary: fc.constantFrom<unknown>(-1, 1.5, '12', null, 2 ** 53 - 1, 2 ** 53, new RawJson('9007199254740993'), 1e300, new RawJson('1e400'), 4_503_599_627_370_496) },
);
const layerType = fc.constantFrom<unknown>('application/vnd.oci.image.layer.v1.tar+gzip', 'application/vnd.docker.image.rootfs.diff.tar.gzip', 'text/html', '', 5);

const descriptor = (mediaType: fc.Arbitrary<unknown>) =>
  fc.record(
    {
      mediaType,
      digest,
      size,
      annotations: fc.oneof(fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }), fc.constantFrom<unknown>({ a: 1 }, [], 'x')),
      urls: fc.constantFrom<unknown>(['http://x'], 'x'),
    },
    { requiredKeys: ['mediaType', 'digest', 'size'] },
  );

const imageManifest = fc.record(
  {
    schemaVersion: fc.oneof({ weight: 9, arbitrary: fc.constant<unknown>(2) }, { weight: 1, arbitrary: fc.constantFrom<unknown>(1, '2', 3, null, 2.0000001) }),
    mediaType: fc.constantFrom<unknown>(OCI_MANIFEST, DOCKER_MANIFEST, OCI_INDEX, 'application/json', 7),
    config: fc.oneof({ weight: 9, arbitrary: descriptor(fc.constantFrom<unknown>('application/vnd.oci.image.config.v1+json', 'application/vnd.docker.container.image.v1+json')) }, { weight: 1, arbitrary: fc.constantFrom<unknown>(null, 'x', [], {}) }),
    layers: fc.oneof({ weight: 9, arbitrary: fc.array(descriptor(layerType), { maxLength: 6 }) }, { weight: 1, arbitrary: fc.constantFrom<unknown>(null, {}, 'x', [null]) }),
    annotations: fc.oneof(fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 20 }), { maxKeys: 3 }), fc.constantFrom<unknown>({ a: 1 }, [], null)),
    subject: fc.constantFrom<unknown>({ mediaType: OCI_MANIFEST, digest: `sha256:${'1'.repeat(64)}`, size: 1 }, 'x', null),
    artifactType: fc.constantFrom<unknown>('application/vnd.example', 5),
  },
  { requiredKeys: ['schemaVersion', 'config', 'layers'] },
);

function index(world: World) {
  const child = fc.record(
    {
      mediaType: fc.constantFrom<unknown>(OCI_MANIFEST, DOCKER_MANIFEST, OCI_INDEX, 'x'),
      digest: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...world.allDigests) }, { weight: 2, arbitrary: digest }),
      size: fc.oneof(fc.integer({ min: 1, max: 5000 }), size),
      platform: fc.constantFrom<unknown>({ architecture: 'amd64', os: 'linux' }, { architecture: 5 }, 'x', null),
    },
    { requiredKeys: ['mediaType', 'digest', 'size'] },
  );
  return fc.record(
    {
      schemaVersion: fc.oneof({ weight: 9, arbitrary: fc.constant<unknown>(2) }, { weight: 1, arbitrary: fc.constantFrom<unknown>(1, '2') }),
      mediaType: fc.constantFrom<unknown>(OCI_INDEX, DOCKER_LIST, OCI_MANIFEST),
      // Sometimes a child twice: an index may not list one child twice without breaking anything.
      manifests: fc.tuple(fc.array(child, { maxLength: 4 }), fc.boolean()).map(([children, twice]) => (twice && children.length ? [...children, children[0]] : children)),
      annotations: fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 2 }),
    },
    { requiredKeys: ['schemaVersion', 'manifests'] },
  );
}

const contentTypeFor = (mediaType: unknown) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constant(typeof mediaType === 'string' ? mediaType : OCI_MANIFEST) },
    { weight: 1, arbitrary: fc.constantFrom<string | undefined>(undefined, 'application/json', 'application/octet-stream', OCI_INDEX, DOCKER_LIST, 'text/plain', `${OCI_MANIFEST}; charset=utf-8`) },
  );

function finish(body: unknown, pretty: boolean, contentType: string | undefined): GeneratedManifest {
  const text = renderJson(body, pretty);
  const mediaType = (body as { mediaType?: unknown })?.mediaType;
  return { text, mediaType: typeof mediaType === 'string' ? mediaType : undefined, contentType, digest: sha256Of(text) };
}

/** Manifests for the per-route property: anything a client might send, small. */
export function manifestArbitrary(world: World): fc.Arbitrary<GeneratedManifest> {
  const body = fc.oneof({ weight: 3, arbitrary: imageManifest }, { weight: 1, arbitrary: index(world) }) as fc.Arbitrary<Record<string, unknown>>;
  return fc
    .tuple(body, fc.boolean())
    .chain(([value, pretty]) => contentTypeFor(value.mediaType).map((contentType) => finish(value, pretty, contentType)));
}

export type PoisonKind = 'deep-unknown-field' | 'many-layers' | 'sizes-past-2^53' | 'index-child-twice' | 'huge-annotation';

/**
 * Well-formed manifests with one extreme feature, each pushed into a fresh repository; whatever the
 * service accepts must leave every listing of that repository answering.
 */
export function poisonArbitrary(world: World): fc.Arbitrary<GeneratedManifest & { kind: PoisonKind; detail: string }> {
  const config = { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${'c'.repeat(64)}`, size: 100 };
  const layer = (hex: string, bytes: number | RawJson) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${hex}`, size: bytes });
  const hexN = (n: number) => createHash('sha256').update(String(n)).digest('hex');
  return fc.oneof(
    fc.constantFrom(100, 5_000, 20_000, 90_000).map((depth) => ({
      ...finish({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: [layer(hexN(1), 10)], x: deepArray(depth) }, false, OCI_MANIFEST),
      kind: 'deep-unknown-field' as const,
      detail: `an unknown field nested ${depth} deep`,
    })),
    fc.constantFrom(10, 300, 1_500).map((count) => ({
      ...finish({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: Array.from({ length: count }, (_, n) => layer(hexN(n), 1000 + n)) }, false, OCI_MANIFEST),
      kind: 'many-layers' as const,
      detail: `${count} layers`,
    })),
    fc.constantFrom<[number | RawJson, number | RawJson]>([2 ** 52, 2 ** 52], [2 ** 53 - 1, 1], [new RawJson('9007199254740993'), 0], [1e300, 1e300]).map(([a, b]) => ({
      ...finish({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: [layer(hexN(1), a), layer(hexN(2), b)] }, false, OCI_MANIFEST),
      kind: 'sizes-past-2^53' as const,
      detail: `layer sizes ${a instanceof RawJson ? a.text : a} and ${b instanceof RawJson ? b.text : b}`,
    })),
    fc.constantFrom(...world.allDigests).map((child) => ({
      ...finish({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [child, child].map((d) => ({ mediaType: OCI_MANIFEST, digest: d, size: 500 })) }, false, OCI_INDEX),
      kind: 'index-child-twice' as const,
      detail: 'an index naming one child twice',
    })),
    fc.constantFrom(1_000, 200_000).map((length) => ({
      ...finish({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: [layer(hexN(1), 10)], annotations: { big: 'a'.repeat(length) } }, false, OCI_MANIFEST),
      kind: 'huge-annotation' as const,
      detail: `an annotation of ${length} characters`,
    })),
  );
}
