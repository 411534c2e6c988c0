/**
 * Manifest parsing and validation for `PUT /v2/{ns}/{repo}/manifests/{reference}` (DESIGN 5.4).
 *
 * Only what the tag service needs is extracted (digest, config, layers, children, annotations,
 * subject); blobs are not stored here, so referenced digests are checked for syntax only. The size
 * limit (MAX_MANIFEST_BYTES) is enforced by the HTTP handler, which answers 413 before parsing.
 */
import { isValidDigest, sha256Digest } from './digest.js';
import { MAX_JSON_DEPTH, MAX_LAYERS, MAX_LIST_CHILDREN, parseBoundedJson } from './limits.js';

export const OCI_IMAGE_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_IMAGE_INDEX = 'application/vnd.oci.image.index.v1+json';
export const DOCKER_MANIFEST_V2 = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';

export const MANIFEST_MEDIA_TYPES: readonly string[] = [
  OCI_IMAGE_MANIFEST,
  OCI_IMAGE_INDEX,
  DOCKER_MANIFEST_V2,
  DOCKER_MANIFEST_LIST,
];

/** A DynamoDB item holds 400 KB; 256 KiB leaves room for the other attributes of the item. */
export const MAX_MANIFEST_BYTES = 256 * 1024;

/** Content types that say nothing about the manifest kind; the body's `mediaType` decides then. */
const GENERIC_CONTENT_TYPES = new Set(['application/json', 'application/octet-stream']);

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

export interface Platform {
  architecture?: string;
  os?: string;
  variant?: string;
}

export interface ChildDescriptor extends Descriptor {
  platform?: Platform;
}

export interface ParsedManifest {
  mediaType: string;
  /** sha256 of the exact bytes received. */
  digest: string;
  byteLength: number;
  isList: boolean;
  /** null for lists. */
  configDigest: string | null;
  /** Base layer first, as in the manifest; empty for lists. */
  layers: Descriptor[];
  /** Sum of layer sizes; null for lists. */
  layersSize: number | null;
  /** Platform manifests of a list; empty for image manifests. */
  children: ChildDescriptor[];
  annotations: Record<string, string>;
  subjectDigest: string | null;
}

/** Codes are OCI distribution-spec error codes, so handlers can put them in the error body as-is. */
export type ManifestErrorCode = 'MANIFEST_INVALID' | 'UNSUPPORTED';

export class ManifestError extends Error {
  override readonly name = 'ManifestError';

  constructor(
    readonly code: ManifestErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isManifestListMediaType(type: string): boolean {
  return type === OCI_IMAGE_INDEX || type === DOCKER_MANIFEST_LIST;
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(message: string): ManifestError {
  return new ManifestError('MANIFEST_INVALID', message);
}

/** `application/vnd...+json; charset=utf-8` → bare lowercased type; undefined when absent/empty. */
function bareContentType(contentType: string | undefined): string | undefined {
  const bare = contentType?.split(';')[0].trim().toLowerCase();
  return bare ? bare : undefined;
}

function isSize(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/** Validates the common descriptor fields; `path` names the field in error messages. */
function parseDescriptor(value: unknown, path: string): Descriptor {
  if (!isObject(value)) throw invalid(`${path} must be an object`);
  const { mediaType, digest, size } = value;
  if (typeof mediaType !== 'string') throw invalid(`${path}.mediaType must be a string`);
  if (!isValidDigest(digest)) throw invalid(`${path}.digest is not a valid digest`);
  if (!isSize(size)) throw invalid(`${path}.size must be a non-negative integer`);
  return { mediaType, digest, size };
}

function parseChild(value: unknown, path: string): ChildDescriptor {
  const child: ChildDescriptor = parseDescriptor(value, path);
  const platform = (value as JsonObject).platform;
  if (platform !== undefined) {
    if (!isObject(platform)) throw invalid(`${path}.platform must be an object`);
    // Only the fields the legacy API shows are kept; others (os.version, features...) are dropped.
    child.platform = {};
    for (const key of ['architecture', 'os', 'variant'] as const) {
      const field = platform[key];
      if (typeof field === 'string') child.platform[key] = field;
    }
  }
  return child;
}

function parseAnnotations(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (!isObject(value)) throw invalid('annotations must be an object of strings');
  const result: Record<string, string> = {};
  for (const [key, annotation] of Object.entries(value)) {
    if (typeof annotation !== 'string') throw invalid(`annotations["${key}"] must be a string`);
    result[key] = annotation;
  }
  return result;
}

function decodeJsonObject(bytes: Uint8Array): JsonObject {
  let parsed: unknown;
  try {
    // fatal: invalid UTF-8 is an error rather than silently replaced. ignoreBOM keeps a BOM in the
    // text, so JSON.parse rejects it (RFC 8259: senders must not add one).
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    const bounded = parseBoundedJson(text);
    // Deeper documents are refused before anything recursive (the listings' JSON.stringify) sees them.
    if (!bounded) throw invalid(`manifest nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels`);
    parsed = bounded.value;
  } catch (error) {
    if (error instanceof ManifestError) throw error;
    throw invalid('manifest is not valid JSON');
  }
  if (!isObject(parsed)) throw invalid('manifest is not valid JSON: expected an object');
  return parsed;
}

/**
 * Picks the manifest media type from the Content-Type header and the body's `mediaType` field.
 * A specific header wins but must agree with the body; a missing or generic header defers to the
 * body (some clients send `application/json`).
 */
function resolveMediaType(headerType: string | undefined, bodyType: unknown): string {
  if (bodyType !== undefined && typeof bodyType !== 'string') {
    throw invalid('mediaType must be a string');
  }
  if (headerType !== undefined && !GENERIC_CONTENT_TYPES.has(headerType)) {
    if (bodyType !== undefined && bodyType !== headerType) {
      throw invalid(`mediaType "${bodyType}" does not match Content-Type "${headerType}"`);
    }
    return headerType; // already checked against the supported list by the caller
  }
  if (bodyType === undefined) {
    const received = headerType ? `Content-Type is "${headerType}"` : 'no Content-Type header';
    throw new ManifestError(
      'UNSUPPORTED',
      `no manifest media type: ${received} and the body has no mediaType`,
    );
  }
  if (!MANIFEST_MEDIA_TYPES.includes(bodyType)) {
    throw new ManifestError('UNSUPPORTED', `manifest media type "${bodyType}" is not supported`);
  }
  return bodyType;
}

/**
 * Parses and validates a manifest body. Throws ManifestError (MANIFEST_INVALID or UNSUPPORTED) with
 * a message naming the offending field.
 */
export function parseManifest(bytes: Uint8Array, contentType: string | undefined): ParsedManifest {
  const headerType = bareContentType(contentType);
  // Reject an unknown specific type before parsing: the body is irrelevant then.
  if (
    headerType !== undefined &&
    !GENERIC_CONTENT_TYPES.has(headerType) &&
    !MANIFEST_MEDIA_TYPES.includes(headerType)
  ) {
    throw new ManifestError('UNSUPPORTED', `manifest media type "${headerType}" is not supported`);
  }

  const body = decodeJsonObject(bytes);
  const mediaType = resolveMediaType(headerType, body.mediaType);
  if (body.schemaVersion !== 2) throw invalid('schemaVersion must be 2');

  const isList = isManifestListMediaType(mediaType);
  const result: ParsedManifest = {
    mediaType,
    digest: sha256Digest(bytes),
    byteLength: bytes.byteLength,
    isList,
    configDigest: null,
    layers: [],
    layersSize: null,
    children: [],
    annotations: parseAnnotations(body.annotations),
    subjectDigest: null,
  };

  if (isList) {
    if (!Array.isArray(body.manifests)) throw invalid('manifests must be an array');
    if (body.manifests.length > MAX_LIST_CHILDREN) throw invalid(`manifests must not name more than ${MAX_LIST_CHILDREN} children`);
    result.children = body.manifests.map((child, i) => parseChild(child, `manifests[${i}]`));
    // Each child gets one index item keyed by its digest: a repeated child would be two writes of
    // one key, which DynamoDB refuses.
    const seen = new Set<string>();
    result.children.forEach((child, i) => {
      if (seen.has(child.digest)) throw invalid(`manifests[${i}].digest names a child already listed`);
      seen.add(child.digest);
    });
  } else {
    result.configDigest = parseDescriptor(body.config, 'config').digest;
    if (!Array.isArray(body.layers)) throw invalid('layers must be an array');
    // OCI artifacts may have no layers; a Docker schema 2 image always has at least one.
    if (mediaType === DOCKER_MANIFEST_V2 && body.layers.length === 0) {
      throw invalid('layers must not be empty for a Docker schema 2 manifest');
    }
    // The /images view grows with the square of the layer count (limits.ts).
    if (body.layers.length > MAX_LAYERS) throw invalid(`layers must not number more than ${MAX_LAYERS}`);
    result.layers = body.layers.map((layer, i) => parseDescriptor(layer, `layers[${i}]`));
    result.layersSize = result.layers.reduce((sum, layer) => sum + layer.size, 0);
    if (!Number.isSafeInteger(result.layersSize)) throw invalid('the layer sizes must add up to less than 2^53');
  }

  // `subject` (referrers) only exists in the OCI formats; Docker formats never carry one.
  const isOci = mediaType === OCI_IMAGE_MANIFEST || mediaType === OCI_IMAGE_INDEX;
  if (isOci && body.subject !== undefined) {
    result.subjectDigest = parseDescriptor(body.subject, 'subject').digest;
  }
  return result;
}
