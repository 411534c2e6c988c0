/**
 * Content digests (OCI image-spec "Digests"). The registry identifies a manifest by the sha256 of
 * the exact bytes the client sent, so hashing never re-serializes anything.
 */
import { createHash } from 'node:crypto';

/** `sha256:` + lowercase hex of exactly these bytes. */
export function sha256Digest(bytes: Uint8Array): string {
  return 'sha256:' + createHash('sha256').update(bytes).digest('hex');
}

// The general OCI grammar allows any `algorithm:encoded`, but only the registered algorithms can be
// verified, so anything else is rejected rather than stored as an opaque string. Hex must be
// lowercase: the spec requires it, and it keeps digests usable as exact-match keys.
const DIGEST_RE = /^(?:sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

/** True for a well-formed sha256 or sha512 digest string. */
export function isValidDigest(value: unknown): value is string {
  return typeof value === 'string' && DIGEST_RE.test(value);
}
