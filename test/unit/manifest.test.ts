import { describe, it, expect } from 'vitest';
import { sha256Digest } from '../../shared/domain/digest.js';
import {
  DOCKER_MANIFEST_LIST,
  DOCKER_MANIFEST_V2,
  MAX_MANIFEST_BYTES,
  ManifestError,
  OCI_IMAGE_INDEX,
  OCI_IMAGE_MANIFEST,
  isManifestListMediaType,
  parseManifest,
} from '../../shared/domain/manifest.js';

const enc = new TextEncoder();
const d = (c: string) => `sha256:${c.repeat(64)}`;
const CONFIG = d('c');

function imageBody(mediaType: string | undefined, overrides: Record<string, unknown> = {}) {
  return {
    schemaVersion: 2,
    ...(mediaType ? { mediaType } : {}),
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: CONFIG, size: 7 },
    layers: [
      { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: d('1'), size: 100 },
      { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: d('2'), size: 23 },
    ],
    ...overrides,
  };
}

function listBody(mediaType: string | undefined, overrides: Record<string, unknown> = {}) {
  return {
    schemaVersion: 2,
    ...(mediaType ? { mediaType } : {}),
    manifests: [
      {
        mediaType: OCI_IMAGE_MANIFEST,
        digest: d('a'),
        size: 500,
        platform: { architecture: 'arm64', os: 'linux', variant: 'v8', 'os.version': 'x' },
      },
      { mediaType: OCI_IMAGE_MANIFEST, digest: d('b'), size: 501 },
    ],
    ...overrides,
  };
}

const bytes = (body: unknown) => enc.encode(JSON.stringify(body));

/** Parses and returns the thrown ManifestError (fails the test if nothing is thrown). */
function rejection(body: Uint8Array | unknown, contentType: string | undefined): ManifestError {
  const raw = body instanceof Uint8Array ? body : bytes(body);
  try {
    parseManifest(raw, contentType);
  } catch (err) {
    expect(err).toBeInstanceOf(ManifestError);
    expect((err as ManifestError).name).toBe('ManifestError');
    return err as ManifestError;
  }
  throw new Error('expected parseManifest to throw');
}

function expectInvalid(body: unknown, contentType: string | undefined, message: string | RegExp) {
  const err = rejection(body, contentType);
  expect(err.code).toBe('MANIFEST_INVALID');
  expect(err.message).toMatch(message);
}

describe('parseManifest: accepted media types', () => {
  it.each([OCI_IMAGE_MANIFEST, DOCKER_MANIFEST_V2])('parses an image manifest (%s)', (type) => {
    const raw = bytes(imageBody(type));
    const m = parseManifest(raw, type);
    expect(m).toEqual({
      mediaType: type,
      digest: sha256Digest(raw),
      byteLength: raw.byteLength,
      isList: false,
      configDigest: CONFIG,
      layers: [
        { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: d('1'), size: 100 },
        { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: d('2'), size: 23 },
      ],
      layersSize: 123,
      children: [],
      annotations: {},
      subjectDigest: null,
    });
  });

  it.each([OCI_IMAGE_INDEX, DOCKER_MANIFEST_LIST])('parses a list (%s)', (type) => {
    const m = parseManifest(bytes(listBody(type)), type);
    expect(m.mediaType).toBe(type);
    expect(m.isList).toBe(true);
    expect(m.configDigest).toBeNull();
    expect(m.layers).toEqual([]);
    expect(m.layersSize).toBeNull();
    expect(m.children).toEqual([
      {
        mediaType: OCI_IMAGE_MANIFEST,
        digest: d('a'),
        size: 500,
        platform: { architecture: 'arm64', os: 'linux', variant: 'v8' },
      },
      { mediaType: OCI_IMAGE_MANIFEST, digest: d('b'), size: 501 },
    ]);
  });

  it('accepts an empty index', () => {
    expect(parseManifest(bytes(listBody(OCI_IMAGE_INDEX, { manifests: [] })), OCI_IMAGE_INDEX).children).toEqual([]);
  });

  it('keeps only string platform fields', () => {
    const body = listBody(OCI_IMAGE_INDEX, {
      manifests: [{ mediaType: OCI_IMAGE_MANIFEST, digest: d('a'), size: 1, platform: { architecture: 'amd64', os: 5 } }],
    });
    expect(parseManifest(bytes(body), undefined).children[0].platform).toEqual({ architecture: 'amd64' });
  });

  it('accepts an OCI artifact with no layers', () => {
    const m = parseManifest(bytes(imageBody(OCI_IMAGE_MANIFEST, { layers: [] })), OCI_IMAGE_MANIFEST);
    expect(m.layers).toEqual([]);
    expect(m.layersSize).toBe(0);
  });

  it('ignores Content-Type parameters and case', () => {
    const m = parseManifest(bytes(imageBody(undefined)), `${OCI_IMAGE_MANIFEST.toUpperCase()} ; charset=utf-8`);
    expect(m.mediaType).toBe(OCI_IMAGE_MANIFEST);
  });

  it.each([undefined, '', 'application/json', 'application/octet-stream', 'application/json; charset=utf-8'])(
    'uses the body mediaType when Content-Type is %j',
    (contentType) => {
      expect(parseManifest(bytes(imageBody(DOCKER_MANIFEST_V2)), contentType).mediaType).toBe(DOCKER_MANIFEST_V2);
    },
  );

  it('accepts a specific Content-Type when the body has no mediaType', () => {
    expect(parseManifest(bytes(listBody(undefined)), OCI_IMAGE_INDEX).isList).toBe(true);
  });

  it('keeps string annotations and the subject digest', () => {
    const body = imageBody(OCI_IMAGE_MANIFEST, {
      annotations: { 'org.opencontainers.image.created': '2024-01-01T00:00:00Z' },
      subject: { mediaType: OCI_IMAGE_MANIFEST, digest: d('5'), size: 10 },
    });
    const m = parseManifest(bytes(body), OCI_IMAGE_MANIFEST);
    expect(m.annotations).toEqual({ 'org.opencontainers.image.created': '2024-01-01T00:00:00Z' });
    expect(m.subjectDigest).toBe(d('5'));
  });

  it('digests the exact bytes: whitespace changes the digest', () => {
    const compact = bytes(imageBody(OCI_IMAGE_MANIFEST));
    const pretty = enc.encode(JSON.stringify(imageBody(OCI_IMAGE_MANIFEST), null, 2));
    const a = parseManifest(compact, OCI_IMAGE_MANIFEST);
    const b = parseManifest(pretty, OCI_IMAGE_MANIFEST);
    expect(a.digest).toBe(sha256Digest(compact));
    expect(b.digest).toBe(sha256Digest(pretty));
    expect(a.digest).not.toBe(b.digest);
    expect(b.byteLength).toBe(pretty.byteLength);
  });

  it('counts bytes, not characters', () => {
    const raw = bytes(imageBody(OCI_IMAGE_MANIFEST, { annotations: { note: 'été' } }));
    expect(parseManifest(raw, OCI_IMAGE_MANIFEST).byteLength).toBe(raw.byteLength);
  });
});

describe('parseManifest: media type rejections', () => {
  it('rejects an unknown Content-Type as UNSUPPORTED, naming it', () => {
    const err = rejection(imageBody(undefined), 'application/vnd.docker.distribution.manifest.v1+prettyjws');
    expect(err.code).toBe('UNSUPPORTED');
    expect(err.message).toContain('application/vnd.docker.distribution.manifest.v1+prettyjws');
  });

  it('rejects an unknown body mediaType as UNSUPPORTED when the header is generic', () => {
    const err = rejection(imageBody('application/vnd.example+json'), 'application/json');
    expect(err.code).toBe('UNSUPPORTED');
    expect(err.message).toContain('application/vnd.example+json');
  });

  it('rejects a manifest with no media type anywhere as UNSUPPORTED', () => {
    const err = rejection(imageBody(undefined), undefined);
    expect(err.code).toBe('UNSUPPORTED');
    expect(err.message).toMatch(/mediaType/);
    expect(rejection(imageBody(undefined), 'application/json').message).toContain('application/json');
  });

  it('rejects a body mediaType that differs from the Content-Type', () => {
    expectInvalid(imageBody(DOCKER_MANIFEST_V2), OCI_IMAGE_MANIFEST, /does not match Content-Type/);
    expectInvalid(listBody(OCI_IMAGE_INDEX), DOCKER_MANIFEST_LIST, /does not match/);
  });

  it('rejects a non-string mediaType', () => {
    expectInvalid(imageBody(undefined, { mediaType: 5 }), OCI_IMAGE_MANIFEST, /^mediaType must be a string/);
  });
});

describe('parseManifest: structural rejections', () => {
  it.each([
    ['not JSON', enc.encode('{"schemaVersion": 2,')],
    ['invalid UTF-8', new Uint8Array([0x7b, 0xff, 0x7d])],
    ['a byte-order mark', new Uint8Array([0xef, 0xbb, 0xbf, ...bytes(imageBody(OCI_IMAGE_MANIFEST))])],
    ['empty', new Uint8Array()],
  ])('rejects a body that is %s', (_label, raw) => {
    const err = rejection(raw, OCI_IMAGE_MANIFEST);
    expect(err.code).toBe('MANIFEST_INVALID');
    expect(err.message).toBe('manifest is not valid JSON');
  });

  it.each([['array', []], ['string', 'x'], ['null', null]])('rejects a JSON %s', (_label, value) => {
    expectInvalid(value, OCI_IMAGE_MANIFEST, /^manifest is not valid JSON/);
  });

  it.each([1, '2', undefined, 3])('rejects schemaVersion %j', (schemaVersion) => {
    expectInvalid(imageBody(OCI_IMAGE_MANIFEST, { schemaVersion }), OCI_IMAGE_MANIFEST, 'schemaVersion must be 2');
  });

  it('rejects a missing or malformed config', () => {
    expectInvalid(imageBody(OCI_IMAGE_MANIFEST, { config: undefined }), OCI_IMAGE_MANIFEST, 'config must be an object');
    expectInvalid(imageBody(OCI_IMAGE_MANIFEST, { config: { digest: CONFIG, size: 1 } }), OCI_IMAGE_MANIFEST, 'config.mediaType must be a string');
    expectInvalid(imageBody(OCI_IMAGE_MANIFEST, { config: { mediaType: 'x', digest: 'sha256:abc', size: 1 } }), OCI_IMAGE_MANIFEST, 'config.digest is not a valid digest');
    expectInvalid(imageBody(OCI_IMAGE_MANIFEST, { config: { mediaType: 'x', digest: CONFIG } }), OCI_IMAGE_MANIFEST, 'config.size must be a non-negative integer');
  });

  it('rejects missing, empty (Docker) or malformed layers, naming the index', () => {
    const good = imageBody(OCI_IMAGE_MANIFEST).layers;
    const layers = (third: unknown) => ({ layers: [...good, third] });
    expectInvalid(imageBody(OCI_IMAGE_MANIFEST, { layers: undefined }), OCI_IMAGE_MANIFEST, 'layers must be an array');
    expectInvalid(imageBody(DOCKER_MANIFEST_V2, { layers: [] }), DOCKER_MANIFEST_V2, /layers must not be empty/);
    expectInvalid(imageBody(OCI_IMAGE_MANIFEST, layers('x')), OCI_IMAGE_MANIFEST, 'layers[2] must be an object');
    expectInvalid(imageBody(OCI_IMAGE_MANIFEST, layers({ ...good[0], digest: d('G') })), OCI_IMAGE_MANIFEST, 'layers[2].digest is not a valid digest');
    expectInvalid(imageBody(OCI_IMAGE_MANIFEST, layers({ ...good[0], mediaType: null })), OCI_IMAGE_MANIFEST, 'layers[2].mediaType must be a string');
  });

  it.each([-1, 1.5, '10', Number.MAX_SAFE_INTEGER + 1, null])('rejects layer size %j', (size) => {
    const layer = { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: d('1'), size };
    expectInvalid(imageBody(OCI_IMAGE_MANIFEST, { layers: [layer] }), OCI_IMAGE_MANIFEST, 'layers[0].size must be a non-negative integer');
  });

  it('rejects malformed list entries, naming the index', () => {
    const entry = { mediaType: OCI_IMAGE_MANIFEST, digest: d('a'), size: 1 };
    expectInvalid(listBody(OCI_IMAGE_INDEX, { manifests: undefined }), OCI_IMAGE_INDEX, 'manifests must be an array');
    expectInvalid(listBody(OCI_IMAGE_INDEX, { manifests: [entry, { ...entry, digest: 'nope' }] }), OCI_IMAGE_INDEX, 'manifests[1].digest is not a valid digest');
    expectInvalid(listBody(OCI_IMAGE_INDEX, { manifests: [{ ...entry, size: -5 }] }), OCI_IMAGE_INDEX, 'manifests[0].size must be a non-negative integer');
    expectInvalid(listBody(OCI_IMAGE_INDEX, { manifests: [{ ...entry, platform: 'linux' }] }), OCI_IMAGE_INDEX, 'manifests[0].platform must be an object');
  });

  it('rejects non-string annotations', () => {
    expectInvalid(imageBody(OCI_IMAGE_MANIFEST, { annotations: { a: 'ok', b: 1 } }), OCI_IMAGE_MANIFEST, 'annotations["b"] must be a string');
    expectInvalid(imageBody(OCI_IMAGE_MANIFEST, { annotations: ['x'] }), OCI_IMAGE_MANIFEST, /^annotations must be an object/);
    expectInvalid(listBody(OCI_IMAGE_INDEX, { annotations: null }), OCI_IMAGE_INDEX, /^annotations must be an object/);
  });

  it('rejects a malformed OCI subject', () => {
    expectInvalid(imageBody(OCI_IMAGE_MANIFEST, { subject: { mediaType: OCI_IMAGE_MANIFEST, digest: 'x', size: 1 } }), OCI_IMAGE_MANIFEST, 'subject.digest is not a valid digest');
  });
});

describe('helpers', () => {
  it('isManifestListMediaType', () => {
    expect(isManifestListMediaType(OCI_IMAGE_INDEX)).toBe(true);
    expect(isManifestListMediaType(DOCKER_MANIFEST_LIST)).toBe(true);
    expect(isManifestListMediaType(OCI_IMAGE_MANIFEST)).toBe(false);
    expect(isManifestListMediaType(DOCKER_MANIFEST_V2)).toBe(false);
  });

  it('MAX_MANIFEST_BYTES is 256 KiB', () => {
    expect(MAX_MANIFEST_BYTES).toBe(262144);
  });
});
