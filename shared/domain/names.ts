/** Names Quay accepts for namespaces, repositories and users (util/validation.py, util/names.py). */

/** Organization and user names: lowercase letters, digits and underscores, 2–255 characters. */
export const NAMESPACE_PATTERN = /^[a-z0-9_]{2,255}$/;
/** Repository names: start with a letter or digit; then letters, digits, `.`, `_`, `-`; ≤ 255. */
export const REPOSITORY_PATTERN = /^[a-z0-9][.a-z0-9_-]{0,254}$/;
/** A user or a robot (`namespace+name`). */
export const USERNAME_PATTERN = /^[a-z0-9_]{1,255}(\+[a-z0-9_]{1,255})?$/;

/** The time-machine windows Quay offers by default: 0s, 1d, 1w, 2w, 4w. */
export const TAG_EXPIRATION_OPTIONS_S: readonly number[] = [0, 86_400, 604_800, 1_209_600, 2_419_200];

/**
 * Whether a namespace or repository name from a request could name anything stored: names are at
 * most 255 bytes, and longer ones would make keys DynamoDB refuses (so they are answered without a
 * lookup, never with a 500).
 */
export function isStorableName(name: string): boolean {
  return name.length > 0 && Buffer.byteLength(name) <= 255;
}

/** A legacy image id: 64 lowercase hex characters (shared/domain/legacy-ids.ts). */
export const LEGACY_IMAGE_ID_PATTERN = /^[0-9a-f]{64}$/;
